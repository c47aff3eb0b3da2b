namespace TokenBroker.Coordination;

/// <summary>
/// How instances share the work of fetching an entry, bound from <c>TokenBroker:Coordination</c>. The same keys under
/// <c>TokenBroker:Refresh</c>, where they were first documented, are still read; <c>TokenBroker:Coordination</c> wins.
/// </summary>
internal sealed class CoordinationOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:Coordination";

    /// <summary>The section the same settings were read from before they had their own; still honoured.</summary>
    public const string LegacySectionName = "TokenBroker:Refresh";

    /// <summary>How long one instance may hold the right to fetch a cache entry; a crashed holder blocks no one longer than this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an instance with no usable token waits for a peer that holds the lease before fetching itself.</summary>
    public TimeSpan PeerWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest gap between two reads of an instance waiting for the peer's result. The reads start when the peer's
    /// token should land (this instance's average fetch time for the connection) and back off from there.
    /// </summary>
    public TimeSpan PeerPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most table reads an instance makes while waiting for the peer's result, the last at the end of <see cref="PeerWait"/>.</summary>
    public int PeerReadLimit { get; set; } = 20;

    /// <summary>
    /// How much later than the instance that fetched an entry's current token the other instances start their hit-driven
    /// refresh (at least this, or four of the connection's fetch times when that is longer, then up to twice as much at
    /// random, and never more than half of what is left of the refresh window). The fetcher refreshes first and the others
    /// usually find its new token with one read, instead of all racing for the lease. Zero turns it off.
    /// </summary>
    public TimeSpan RefreshStagger { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a connection whose every secret was refused is left alone, so the broker does not trip a lockout.</summary>
    public TimeSpan RejectionHold { get; set; } = TimeSpan.FromSeconds(30);
}
