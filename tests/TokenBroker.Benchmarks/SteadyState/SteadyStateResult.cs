using TokenBroker.Benchmarks.Storage;

namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>
/// Issue item 4: continuous requests over simulated time (<c>FakeTimeProvider</c>), many connections, short-lived tokens,
/// as <see cref="SteadyStateSimulation"/> measures it into <see cref="Reporting.InProcessSummary.SteadyState"/>.
/// </summary>
/// <param name="Connections">Connections requested every simulated second once they have joined (50; 10,000 for the fleet cost).</param>
/// <param name="SimulatedMinutes">Simulated duration (the issue: 10).</param>
/// <param name="TokenLifetimeMinutes">Lifetime of each token (the issue: 5).</param>
/// <param name="RequestsAfterWarmUp">Requests after the warm-up of one token lifetime, when every connection had its first token.</param>
/// <param name="RequestsThatWaited">Of those, requests that waited on the authorization server: that did not complete synchronously (target: 0).</param>
/// <param name="TokenRequestsPerConnectionPerLifetime">Token requests after warm-up / (connections × lifetimes after warm-up) (target: 1).</param>
/// <param name="Requests">Every request, warm-up included.</param>
/// <param name="ColdRequests">Requests that waited during the warm-up: each connection's first on each core, and any other miss then.</param>
/// <param name="TokenRequests">Every token request, warm-up included.</param>
/// <param name="TokenRequestsAfterWarmUp">Token requests after warm-up.</param>
/// <param name="RefreshesStartedByHits">Background refreshes started by a hit inside the refresh window.</param>
/// <param name="RefreshesByJob">Refreshes the refresh job made itself (it runs every simulated minute).</param>
/// <param name="MeanRefreshIntervalMinutes">Mean simulated time between two token requests of one connection.</param>
/// <param name="ShortestRefreshIntervalMinutes">Shortest such interval: no connection fetched twice for one token.</param>
/// <param name="PolicyTokenRequestsPerLifetime">What the refresh policy predicts: one request each (window ratio − half the jitter) of a lifetime.</param>
/// <param name="FloorTokenRequestsPerLifetime">The least any schedule with 0 waits can do: a token is served only until its safety margin.</param>
/// <param name="Instances">Broker cores sharing the table, the token endpoint and the clock; each gets every request of a step.</param>
/// <param name="RefreshesLeasedElsewhere">Refreshes that found another instance holding the lease and kept the token they had.</param>
internal sealed record SteadyStateResult(
    int Connections,
    double SimulatedMinutes,
    double TokenLifetimeMinutes,
    long RequestsAfterWarmUp,
    long RequestsThatWaited,
    double TokenRequestsPerConnectionPerLifetime,
    long Requests = 0,
    long ColdRequests = 0,
    int TokenRequests = 0,
    int TokenRequestsAfterWarmUp = 0,
    int RefreshesStartedByHits = 0,
    int RefreshesByJob = 0,
    double MeanRefreshIntervalMinutes = 0,
    double ShortestRefreshIntervalMinutes = 0,
    double PolicyTokenRequestsPerLifetime = 0,
    double FloorTokenRequestsPerLifetime = 0,
    int Instances = 1,
    long RefreshesLeasedElsewhere = 0)
{
    /// <summary>The earliest refresh point the policy allows, as a share of the lifetime (window less the whole jitter).</summary>
    public double EarliestRefreshRatio { get; init; }

    /// <summary>Table Storage requests of every instance over the whole run.</summary>
    public TableTransactions? TableTransactions { get; init; }

    /// <summary>Table Storage requests of every instance after warm-up (one token lifetime).</summary>
    public TableTransactions? TableTransactionsAfterWarmUp { get; init; }

    /// <summary>Table Storage requests after warm-up by kind and HTTP status (<c>merge 412</c>: a lost lease race).</summary>
    public IReadOnlyDictionary<string, long> TableAnswersAfterWarmUp { get; init; } = new Dictionary<string, long>();

    /// <summary>Key Vault reads of every instance over the whole run (secrets and the token cache key).</summary>
    public long KeyVaultReads { get; init; }

    /// <summary>Key Vault reads after warm-up.</summary>
    public long KeyVaultReadsAfterWarmUp { get; init; }

    /// <summary>Every run of the refresh job, one per simulated minute.</summary>
    public IReadOnlyList<JobRun> JobRuns { get; init; } = [];

    /// <summary>The refresh job's schedule interval, in seconds.</summary>
    public double JobIntervalSeconds { get; init; }

    /// <summary>Connections whose credential inventory row the refresh runs wrote in the whole run (each is read once per inventory interval).</summary>
    public long InventoryRows { get; init; }

    /// <summary>Simulated hours after warm-up: what "per hour" figures divide by.</summary>
    public double HoursAfterWarmUp => (SimulatedMinutes - TokenLifetimeMinutes) / 60;
}
