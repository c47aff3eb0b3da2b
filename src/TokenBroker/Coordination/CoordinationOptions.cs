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

    /// <summary>How often a waiting instance looks for the peer's result.</summary>
    public TimeSpan PeerPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a connection whose every secret was refused is left alone, so the broker does not trip a lockout.</summary>
    public TimeSpan RejectionHold { get; set; } = TimeSpan.FromSeconds(30);
}
