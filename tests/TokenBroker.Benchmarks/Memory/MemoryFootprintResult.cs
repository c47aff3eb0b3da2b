namespace TokenBroker.Benchmarks.Memory;

/// <summary>Bytes per cached token in the memory tier.</summary>
/// <param name="Connections">Connections, each with one cached token.</param>
/// <param name="TokenChars">Characters per access token.</param>
/// <param name="RetainedBytesPerEntry">Heap retained per entry, the token string excluded.</param>
/// <param name="RetainedBytesPerEntryWithToken">Heap retained per entry, the token string included.</param>
/// <param name="AllocatedBytesPerEntry">Bytes allocated per entry while filling, garbage included, the token string excluded.</param>
internal sealed record MemoryFootprintResult(
    int Connections,
    int TokenChars,
    double RetainedBytesPerEntry,
    double RetainedBytesPerEntryWithToken,
    double AllocatedBytesPerEntry);
