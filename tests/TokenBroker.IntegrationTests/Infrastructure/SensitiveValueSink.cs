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
    private int _leakCount;
    private string? _firstLeakSource;

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

    /// <summary>Registers a value that must never be emitted, and checks everything emitted before it.</summary>
    public void AddSensitive(string? value)
    {
        if (!string.IsNullOrEmpty(value) && _sensitive.TryAdd(value, 0))
        {
            foreach (var line in _emitted)
            {
                Check(line, value);
            }
        }
    }

    /// <summary>How many emitted lines so far contain a registered value; checked as lines and values arrive.</summary>
    public int LeakCount => Volatile.Read(ref _leakCount);

    /// <summary>Fails the calling test at once if anything leaked so far: names where, never what.</summary>
    public void AssertNoLeak()
    {
        if (LeakCount > 0)
        {
            throw new InvalidOperationException($"{LeakCount} log lines or metric tags contain a token or a secret; the first was written by {_firstLeakSource}.");
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

    private void Emit(string line)
    {
        _emitted.Enqueue(line);
        foreach (var value in _sensitive.Keys)
        {
            Check(line, value);
        }
    }

    private void Check(string line, string value)
    {
        if (line.Contains(value, StringComparison.Ordinal) || (value.Length > 24 && line.Contains(value[..24], StringComparison.Ordinal)))
        {
            Interlocked.CompareExchange(ref _firstLeakSource, string.Join(' ', line.Split(' ').Take(2)), null);
            Interlocked.Increment(ref _leakCount);
        }
    }

    private void RecordTags(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            Emit($"metric {instrument.Name} {tag.Key}={tag.Value}");
        }

        MetricTagCount++;
    }

    private sealed class SinkLogger(SensitiveValueSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            sink.Emit($"scope {category} {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            sink.Emit($"{logLevel} {category} {formatter(state, exception)} {values} {exception}");
        }
    }
}
