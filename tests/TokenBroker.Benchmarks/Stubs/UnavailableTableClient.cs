using Azure;
using Azure.Data.Tables;

namespace TokenBroker.Benchmarks.Stubs;

/// <summary>
/// A Table Storage that cannot be reached. The broker then works from its memory tier and its single flight alone, which
/// is exactly what the in-process benchmarks measure; the shared tier and its leases are exercised by the HTTP load test,
/// which runs the real host against Azurite. Failing the first read is enough: the broker writes nothing it could not read.
/// </summary>
internal sealed class UnavailableTableClient : TableClient
{
    public override Task<NullableResponse<T>> GetEntityIfExistsAsync<T>(
        string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) =>
        Task.FromException<NullableResponse<T>>(new RequestFailedException(503, "The benchmark's table is unavailable by design."));
}
