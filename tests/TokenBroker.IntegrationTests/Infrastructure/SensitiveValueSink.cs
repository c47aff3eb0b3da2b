using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace TokenBroker.IntegrationTests.Infrastructure;

/// <summary>
/// Every log line (at Trace, with exception text and structured values) and every metric tag any broker host emits during
/// the run, plus every token and secret the run has seen, so a test can prove none of the second appear in the first.
/// </summary>
public sealed class SensitiveValueSink : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _emitted = new();
    private readonly ConcurrentDictionary<string, byte> _sensitive = new(StringComparer.Ordinal);
    private readonly MeterListener _meters = new();

    public SensitiveValueSink()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("TokenBroker", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, _, tags, _) => RecordTags(instrument, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, _, tags, _) => RecordTags(instrument, tags));
        _meters.SetMeasurementEventCallback<int>((instrument, _, tags, _) => RecordTags(instrument, tags));
        _meters.Start();
    }

    public int EmittedCount => _emitted.Count;

    public int MetricTagCount { get; private set; }

    public void AddSensitive(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _sensitive.TryAdd(value, 0);
        }
    }

    public IReadOnlyCollection<string> SensitiveValues => [.. _sensitive.Keys];

    /// <summary>Everything emitted so far, oldest first.</summary>
    public IReadOnlyList<string> Emitted => [.. _emitted];

    /// <summary>The emitted lines that contain a sensitive value (or its first 24 characters, to catch truncation).</summary>
    public IReadOnlyList<string> Leaks() =>
        [.. _emitted.Where(line => _sensitive.Keys.Any(value =>
            line.Contains(value, StringComparison.Ordinal) || (value.Length > 24 && line.Contains(value[..24], StringComparison.Ordinal))))];

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    public void Dispose() => _meters.Dispose();

    private void RecordTags(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            _emitted.Enqueue($"metric {instrument.Name} {tag.Key}={tag.Value}");
        }

        MetricTagCount++;
    }

    private sealed class SinkLogger(SensitiveValueSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            sink._emitted.Enqueue($"scope {category} {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            sink._emitted.Enqueue($"{logLevel} {category} {formatter(state, exception)} {values} {exception}");
        }
    }
}
