using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>
/// Counts the broker's <c>tokenbroker.refreshes</c> measurements, which a refresh records once it has finished (token in
/// memory and in the table), whether a hit started it in the background or the refresh job ran it. Waiting for the count
/// a step predicts is how the simulation lets background work settle before it moves the clock.
/// </summary>
internal sealed class RefreshCounter : IDisposable
{
    private const string InstrumentName = "tokenbroker.refreshes";

    private readonly MeterListener _listener = new();
    private long _count;
    private long _failed;
    private long _leasedElsewhere;

    public RefreshCounter(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Name == InstrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            Interlocked.Add(ref _count, value);
            foreach (var tag in tags)
            {
                if (tag is { Key: "outcome", Value: "failed" })
                {
                    Interlocked.Add(ref _failed, value);
                }
                else if (tag is { Key: "outcome", Value: "leased_elsewhere" })
                {
                    Interlocked.Add(ref _leasedElsewhere, value);
                }
            }
        });
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Refreshes that found another instance holding the lease, and kept serving the token they had.</summary>
    public long LeasedElsewhere => Interlocked.Read(ref _leasedElsewhere);

    /// <summary>Waits, on the real clock, until <paramref name="count"/> refreshes have finished.</summary>
    public async Task WaitForAsync(long count, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (Count < count)
        {
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"{count - Count} background refreshes did not finish within {timeout.TotalSeconds:N0} s.");
            }

            await Task.Delay(1);
        }
    }

    public void Dispose() => _listener.Dispose();
}
