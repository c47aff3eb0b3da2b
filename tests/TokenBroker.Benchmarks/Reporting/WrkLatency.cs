namespace TokenBroker.Benchmarks.Reporting;

/// <summary>Latency percentiles of one run, in microseconds.</summary>
internal sealed record WrkLatency(double P50, double P90, double P99, double Max, double Mean);
