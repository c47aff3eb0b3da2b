using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TokenBroker.Audit;

namespace TokenBroker.IntegrationTests.Audit;

/// <summary>Keeps the structured values of every audit record a broker host writes, as an exporter would see them.</summary>
internal sealed class AuditRecordCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string?>> _records = new();

    public IReadOnlyList<IReadOnlyDictionary<string, string?>> Records => [.. _records];

    public IReadOnlyList<IReadOnlyDictionary<string, string?>> Of(string auditEvent) =>
        [.. _records.Where(record => record.GetValueOrDefault("AuditEvent") == auditEvent)];

    public ILogger CreateLogger(string categoryName) => new CaptureLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CaptureLogger(AuditRecordCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (category == AuditEventNames.Category && state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                capture._records.Enqueue(values.ToDictionary(pair => pair.Key, pair => pair.Value?.ToString()));
            }
        }
    }
}
