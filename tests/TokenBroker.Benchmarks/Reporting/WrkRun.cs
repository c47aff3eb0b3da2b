namespace TokenBroker.Benchmarks.Reporting;

/// <summary>
/// One wrk run, as bench/wrk-token.lua prints it, plus the CPU time the server under test used meanwhile (added by
/// bench/run.sh from /proc): CPU per request hardly moves when other work shares the machine, throughput does.
/// </summary>
internal sealed record WrkRun(
    long Requests,
    long DurationMicroseconds,
    long Bytes,
    WrkErrors Errors,
    WrkLatency LatencyMicroseconds,
    double? ServerCpuSeconds = null)
{
    public double RequestsPerSecond => Requests / (DurationMicroseconds / 1e6);

    public double BytesPerResponse => Requests == 0 ? 0 : (double)Bytes / Requests;

    public double? CpuMicrosecondsPerRequest => ServerCpuSeconds is { } seconds && Requests > 0 ? seconds * 1e6 / Requests : null;
}
