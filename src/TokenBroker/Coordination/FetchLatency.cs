using System.Collections.Concurrent;
using TokenBroker.Connections;

namespace TokenBroker.Coordination;

/// <summary>
/// How long this instance's fetches take from taking a lease to the token being in the table, kept as a moving average
/// (exponentially weighted, quick to follow a faster fetch) per connection and per token-endpoint authority. An instance that lost a lease to a peer looks
/// for the peer's token when it should have landed, instead of on a fixed interval.
/// </summary>
/// <remarks>
/// Measured on <see cref="Clock"/>, real time by default: the holder's token request takes real time even where the token
/// clock (the core's <see cref="TimeProvider"/>) is a test's frozen fake, and a wait on a frozen clock would never end.
/// </remarks>
internal sealed class FetchLatency(TimeProvider clock)
{
    // Looking too early costs one table read; looking too late costs every waiting caller the difference. So a faster fetch
    // is adopted at once, while a slower one weighs a quarter and counts as at most twice the estimate: one retried or
    // stalled fetch cannot push the next waits' first look far past the usual landing, and a lasting slowdown still
    // doubles the estimate per fetch. One fetch alone is not trusted (a process's first pays for JIT and new connections).
    private const double Weight = 0.25;
    private const double OutlierFactor = 2;
    private const int TrustedAfter = 2;

    private readonly ConcurrentDictionary<string, Average> _byConnection = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Average> _byAuthority = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The clock fetches are timed on and waits are scheduled on.</summary>
    public TimeProvider Clock { get; } = clock;

    /// <summary>Records one fetch of <paramref name="connection"/>: lease taken to token written.</summary>
    public void Observe(Connection connection, TimeSpan elapsed)
    {
        if (elapsed <= TimeSpan.Zero)
        {
            return;
        }

        _byConnection.GetOrAdd(connection.Name, static _ => new Average()).Add(elapsed);
        _byAuthority.GetOrAdd(Authority(connection), static _ => new Average()).Add(elapsed);
    }

    /// <summary>
    /// When a peer's fetch of <paramref name="connection"/> should land: this connection's estimate, else that of its
    /// authorization server (a connection this instance never fetched, such as a cold key another instance leased), else
    /// null (the waiting instance then starts short and backs off).
    /// </summary>
    public TimeSpan? Expected(Connection connection) =>
        (_byConnection.TryGetValue(connection.Name, out var own) ? own.Value : null)
        ?? (_byAuthority.TryGetValue(Authority(connection), out var shared) ? shared.Value : null);

    private static string Authority(Connection connection) => connection.TokenEndpoint.GetLeftPart(UriPartial.Authority);

    private sealed class Average
    {
        private readonly Lock _lock = new();
        private double _ticks;
        private int _samples;

        public TimeSpan? Value
        {
            get
            {
                lock (_lock)
                {
                    return _samples >= TrustedAfter ? TimeSpan.FromTicks((long)_ticks) : null;
                }
            }
        }

        public void Add(TimeSpan sample)
        {
            lock (_lock)
            {
                _ticks = _samples == 0 || sample.Ticks < _ticks
                    ? sample.Ticks
                    : _ticks + (Weight * (Math.Min(sample.Ticks, _ticks * OutlierFactor) - _ticks));
                _samples++;
            }
        }
    }
}
