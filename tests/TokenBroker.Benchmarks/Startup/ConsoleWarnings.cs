using Microsoft.Extensions.Logging;

namespace TokenBroker.Benchmarks.Startup;

/// <summary>The stand-in Functions host's log (the worker's own log records included), warnings and errors only, on the console.</summary>
internal sealed class ConsoleWarnings : ILoggerProvider, ILogger
{
    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.WriteLine($"      [stand-in {logLevel}] {formatter(state, exception)} {exception?.GetType().Name}: {exception?.Message}");
        }
    }

    public void Dispose()
    {
    }
}
