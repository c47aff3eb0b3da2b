using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TokenBroker.Diagnostics;
using TokenBroker.Lifecycle.Rotation;

namespace TokenBroker.IntegrationTests.Lifecycle.Rotation;

/// <summary>
/// One broker's rotation steps, from its own log (a logger provider registered in that broker only): a rotation planned
/// (8650) and a step completed (8651, with the state reached).
/// </summary>
internal sealed class StepLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _steps = new();

    /// <summary>The states this broker's steps reached, in order (<c>Planned</c> for the plan and for recording the old credential).</summary>
    public IReadOnlyList<string> Steps => [.. _steps];

    /// <summary>
    /// Whether this broker completed a step at which it may be stopped: any but the addPassword step, whose new secret
    /// exists only in the memory of the instance that added it until that instance stores it in Key Vault. A stop there
    /// always costs that credential and sends the rotation back a step (SecretRotationTests stops there); stopping every
    /// instance there would never let a rotation pass it.
    /// </summary>
    public bool TookAStep => _steps.Any(s => s != nameof(RotationState.SecretAdded));

    public ILogger CreateLogger(string categoryName) => new StepLogger(this);

    public void Dispose()
    {
    }

    private sealed class StepLogger(StepLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == EventIds.RotationPlanned)
            {
                log._steps.Enqueue(nameof(RotationState.Planned));
            }
            else if (eventId.Id == EventIds.RotationStepCompleted && state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                log._steps.Enqueue(pairs.FirstOrDefault(p => p.Key == "State").Value?.ToString() ?? "?");
            }
        }
    }
}
