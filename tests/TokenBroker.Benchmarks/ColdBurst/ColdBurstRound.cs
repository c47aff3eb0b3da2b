namespace TokenBroker.Benchmarks.ColdBurst;

/// <summary>One round of issue item 3: a lone cold request, then the burst, each on a connection nobody asked for yet.</summary>
/// <param name="Round">1-based.</param>
/// <param name="SingleRequestMilliseconds">The lone cold request through one host (table miss, lease, token request, table write).</param>
/// <param name="DirectTokenRequestMilliseconds">One token request sent straight to the authorization server, for scale.</param>
/// <param name="TokenRequests">Token requests the authorization server received during the burst (target: 1).</param>
/// <param name="Failures">Callers that got no token.</param>
/// <param name="DistinctTokens">Different access tokens handed to the callers (1 when every host served the same one).</param>
/// <param name="P50Milliseconds">Median caller latency.</param>
/// <param name="P99Milliseconds">99th-percentile caller latency.</param>
/// <param name="MaxMilliseconds">Slowest caller.</param>
/// <param name="BurstMilliseconds">From releasing the callers to the last response.</param>
/// <param name="ConnectionsOpened">TCP connections the callers had to open during the burst (0: the warm-up opened them all).</param>
/// <param name="HostP99Milliseconds">p99 of each host's callers: the lease holder's callers wait for the token request, the others also for their next poll.</param>
/// <param name="HostTableReads">Single-entity table reads of each host during the burst: 1 for the lease holder, 1 + its looks for a host that waited.</param>
/// <param name="WarmBurstP99Milliseconds">p99 of the same burst repeated on the cached token: the burst's own queueing, with no fetch.</param>
internal sealed record ColdBurstRound(
    int Round,
    double SingleRequestMilliseconds,
    double DirectTokenRequestMilliseconds,
    int TokenRequests,
    int Failures,
    int DistinctTokens,
    double P50Milliseconds,
    double P99Milliseconds,
    double MaxMilliseconds,
    double BurstMilliseconds,
    int ConnectionsOpened,
    IReadOnlyList<double> HostP99Milliseconds,
    IReadOnlyList<long> HostTableReads,
    double WarmBurstP99Milliseconds)
{
    /// <summary>Where the burst's time went: the lease, the token landing, each waiting host's reads.</summary>
    public BurstTimeline? Timeline { get; init; }
}
