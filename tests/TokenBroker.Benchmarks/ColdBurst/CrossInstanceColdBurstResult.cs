namespace TokenBroker.Benchmarks.ColdBurst;

/// <summary>
/// Issue item 3, once cross-instance leases exist: a cold burst spread over several broker hosts that share one Table
/// Storage. Whatever measures it writes this record as JSON and passes the file to <c>report --cold-burst</c>.
/// </summary>
/// <param name="Hosts">Broker hosts sharing the Table tier (the issue: 3).</param>
/// <param name="Callers">Concurrent cold callers for one connection (the issue: 1,000).</param>
/// <param name="TokenRequests">Token requests the authorization server received (target: 1).</param>
/// <param name="P99Milliseconds">The callers' 99th-percentile latency.</param>
/// <param name="SingleRequestMilliseconds">One token request's latency at the same authorization server, for scale.</param>
internal sealed record CrossInstanceColdBurstResult(int Hosts, int Callers, int TokenRequests, double P99Milliseconds, double SingleRequestMilliseconds)
{
    public double P99Ratio => P99Milliseconds / SingleRequestMilliseconds;
}
