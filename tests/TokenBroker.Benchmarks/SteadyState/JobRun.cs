namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>One run of the refresh job in the simulation: when, how long it took on the real clock, and what it did.</summary>
internal sealed record JobRun(double AtMinute, double Milliseconds, int Examined, int Refreshed, int LeasedElsewhere);
