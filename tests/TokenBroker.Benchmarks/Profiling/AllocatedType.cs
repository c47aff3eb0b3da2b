namespace TokenBroker.Benchmarks.Profiling;

/// <summary>Bytes of one type allocated per request.</summary>
/// <param name="Type">The type's name.</param>
/// <param name="BytesPerRequest">Bytes per request.</param>
internal sealed record AllocatedType(string Type, double BytesPerRequest);
