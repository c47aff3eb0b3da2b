using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TokenBroker.Diagnostics;
using TokenBroker.Lifecycle.Rotation;

namespace TokenBroker.IntegrationTests.Lifecycle.Rotation;

/// <summary>
/// One broker's rotation steps, from its own log (a logger provider registered in that broker only): a rotation planned
/// (8650) and a step completed (8651, with the state reached). Both are logged right after the step's table write.
/// <para>
/// With <c>halt</c>, the broker's runner goes no further than that write: the first step it completes halts it, and
/// every rotation it is advancing stops at the log of its current step (the logging thread waits there until the host
/// begins to stop, then throws, so the runner's next step never starts). The broker is then as if it had died right
/// after those writes, and the rig stops it. The exception is addPassword: its new secret exists only in the memory of
/// the instance that added it until that instance stores it in Key Vault, so a stop there always costs that credential
/// and sends the rotation back a step (SecretRotationTests stops there); halting every instance there would never let a
/// rotation pass it.
/// </para>
/// </summary>
internal sealed class StepLog(bool halt) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _steps = new();
    private readonly ManualResetEventSlim _stopping = new();
    private volatile bool _halted;

    /// <summary>The steps this broker completed, in order, as <c>connection:state</c> (<c>Planned</c> for the plan and for recording the old credential).</summary>
    public IReadOnlyList<string> Steps => [.. _steps];

    /// <summary>Whether this broker's runner is halted after a step and waits to be stopped.</summary>
    public bool Halted => _halted;

    /// <summary>The host is stopping: halted rotations end their run (by an exception from the log call).</summary>
    public void Stopping() => _stopping.Set();

    public ILogger CreateLogger(string categoryName) => new StepLogger(this);

    public void Dispose() => _stopping.Dispose();

    private void Record(IEnumerable<KeyValuePair<string, object?>> pairs, string? state = null)
    {
        state ??= Value(pairs, "State");
        _steps.Enqueue($"{Value(pairs, "Connection")}:{state}");
        if (!halt || (!_halted && state == nameof(RotationState.SecretAdded)))
        {
            return;
        }

        _halted = true;
        _stopping.Wait();
        throw new InvalidOperationException("This broker was stopped after a rotation step.");
    }

    private static string Value(IEnumerable<KeyValuePair<string, object?>> pairs, string key) =>
        pairs.FirstOrDefault(p => p.Key == key).Value?.ToString() ?? "?";

    private sealed class StepLogger(StepLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                return;
            }

            if (eventId.Id == EventIds.RotationPlanned)
            {
                log.Record(pairs, nameof(RotationState.Planned));
            }
            else if (eventId.Id == EventIds.RotationStepCompleted)
            {
                log.Record(pairs);
            }
        }
    }
}
