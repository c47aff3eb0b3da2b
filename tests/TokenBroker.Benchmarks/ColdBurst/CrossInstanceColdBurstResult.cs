namespace TokenBroker.Benchmarks.ColdBurst;

/// <summary>
/// Issue item 3: cold bursts spread over several broker hosts that share one Table Storage and one authorization server,
/// as <c>cold-burst</c> writes it for <c>report --cold-burst</c>. Latencies are medians over the rounds.
/// </summary>
/// <param name="Hosts">Broker hosts sharing the Table tier (the issue: 3).</param>
/// <param name="Callers">Concurrent cold callers for one connection per burst (the issue: 1,000).</param>
/// <param name="TokenRequests">Token requests the authorization server received in the worst burst (target: 1).</param>
/// <param name="P99Milliseconds">The callers' 99th-percentile latency.</param>
/// <param name="SingleRequestMilliseconds">One cold request through a host, alone, on a fresh connection: the yardstick.</param>
/// <param name="Rounds">Bursts measured, each after its own lone cold request.</param>
/// <param name="Failures">Callers that got no token, over all rounds (a burst with failures is not judged).</param>
/// <param name="P50Milliseconds">The callers' median latency.</param>
/// <param name="MaxMilliseconds">The slowest caller.</param>
/// <param name="DirectTokenRequestMilliseconds">One token request straight to the authorization server.</param>
/// <param name="PeerPollIntervalMilliseconds">TokenBroker:Coordination:PeerPollInterval of the hosts: the longest gap between two looks of a host waiting for the holder's token.</param>
/// <param name="RoundDetails">Every round.</param>
internal sealed record CrossInstanceColdBurstResult(
    int Hosts,
    int Callers,
    int TokenRequests,
    double P99Milliseconds,
    double SingleRequestMilliseconds,
    int Rounds = 1,
    int Failures = 0,
    double P50Milliseconds = 0,
    double MaxMilliseconds = 0,
    double DirectTokenRequestMilliseconds = 0,
    double PeerPollIntervalMilliseconds = 0,
    IReadOnlyList<ColdBurstRound>? RoundDetails = null)
{
    /// <summary>How long the authorization server held each token request (0: it answers in a few milliseconds).</summary>
    public double TokenResponseDelayMilliseconds { get; init; }

    /// <summary>TokenBroker:Coordination:PeerReadLimit of the hosts.</summary>
    public int PeerReadLimit { get; init; }

    /// <summary>Table reads a host that waited for the lease holder made while waiting (after its first read), averaged over such hosts and rounds.</summary>
    public double PeerReadsPerWaitingHost { get; init; }

    /// <summary>The most such reads of one host in one burst.</summary>
    public long MaxPeerReads { get; init; }

    /// <summary>p99 of the same burst on the cached token (median of the rounds): the burst's own queueing.</summary>
    public double WarmBurstP99Milliseconds { get; init; }

    /// <summary>Median over the rounds: the holder's lease insert answered, from the callers' release.</summary>
    public double LeaseWonMilliseconds { get; init; }

    /// <summary>Median over the rounds: the holder's token in the table, from the callers' release.</summary>
    public double TokenLandedMilliseconds { get; init; }

    /// <summary>Median over the waiting hosts of every round: from the token landing to the read that found it answering.</summary>
    public double SeenAfterLandingMilliseconds { get; init; }

    /// <summary>Median over the waiting hosts of every round: from the read that found the token to the host's callers' p99.</summary>
    public double ServedAfterSeenMilliseconds { get; init; }

    /// <summary>Median time a waiting host's read of the holder's row took during the bursts.</summary>
    public double PeerReadLatencyMilliseconds { get; init; }

    public double P99Ratio => P99Milliseconds / SingleRequestMilliseconds;

    /// <summary>
    /// What the burst's p99 adds over the same burst on a cached token (median p99s of the rounds), as a multiple of the lone
    /// cold request: the coordination's share, information beside the target, which compares the whole p99.
    /// </summary>
    public double CoordinationOverheadRatio => (P99Milliseconds - WarmBurstP99Milliseconds) / SingleRequestMilliseconds;

    public double P50Ratio => P50Milliseconds / SingleRequestMilliseconds;
}
