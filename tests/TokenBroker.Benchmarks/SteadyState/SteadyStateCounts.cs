namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>What the simulation counted step by step, before it is turned into a <see cref="SteadyStateResult"/>.</summary>
internal sealed record SteadyStateCounts(
    int Instances,
    long Requests,
    long RequestsAfterWarmUp,
    long WaitsAfterWarmUp,
    long ColdRequests,
    int StartedByHits,
    int ByJob,
    long LeasedElsewhere);
