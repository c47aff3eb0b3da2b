namespace TokenBroker.Benchmarks.Profiling;

/// <summary>Bytes a server allocated per request, in all and for its largest types.</summary>
/// <param name="Url">The URL requested.</param>
/// <param name="Requests">Requests sent while the allocations were counted.</param>
/// <param name="BytesPerRequest">All bytes allocated in the server, per request.</param>
/// <param name="TopTypes">The types that took the most, largest first.</param>
internal sealed record AllocationProfileResult(string Url, int Requests, double BytesPerRequest, IReadOnlyList<AllocatedType> TopTypes);
