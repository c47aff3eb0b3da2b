namespace TokenBroker.Benchmarks.Startup;

/// <summary>One new instance, started and asked for a token that is already in the table.</summary>
/// <param name="Variant">The variant's name.</param>
/// <param name="Round">The round (0 is the warm-up, not counted).</param>
/// <param name="TimeToFirstResponseMilliseconds">From just before the process was started to the first response's body read.</param>
/// <param name="FirstRequestMilliseconds">That first response's own latency: from sending it (the server was listening) to its body.</param>
/// <param name="WarmHitMilliseconds">The median latency of later requests on the same instance (memory hits), after a few untimed ones.</param>
/// <param name="FailedFirstRequests">Requests that failed before the first token (the worker only; 0 expected).</param>
/// <param name="CpuMilliseconds">The new process's CPU time (user and system, every thread) when its first token was read: the work its start took, which a busy machine delays but does not change much.</param>
/// <param name="ForwardRetries">The worker only: forwards the stand-in host retried because the worker's listener did not accept yet, as Azure's host retries them (inside the first request's time).</param>
internal sealed record StartupSample(string Variant, int Round, double TimeToFirstResponseMilliseconds, double FirstRequestMilliseconds, double WarmHitMilliseconds, double CpuMilliseconds, int FailedFirstRequests = 0, int ForwardRetries = 0);
