namespace TokenBroker.Benchmarks.Reporting;

/// <summary>wrk's error counts; <see cref="Status"/> counts answers other than 2xx and 3xx.</summary>
internal sealed record WrkErrors(long Connect, long Read, long Write, long Status, long Timeout)
{
    public long Total => Connect + Read + Write + Status + Timeout;
}
