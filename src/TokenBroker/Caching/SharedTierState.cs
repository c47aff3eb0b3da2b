namespace TokenBroker.Caching;

/// <summary>
/// Whether the shared tier (Table Storage, sealed with the cache key) is doing its job, in one word operators read in
/// <c>GET /api/ops/connections</c>: <c>checking</c>, <c>ok</c>, <c>no_cache_key</c> (Development only: every instance
/// fetches its own tokens), <c>forbidden</c> (the table answered 403: a role is missing) or <c>unavailable</c>.
/// </summary>
internal sealed class SharedTierState
{
    private volatile Snapshot _current = new("checking", null);

    public string Status => _current.Status;

    public string? Detail => _current.Detail;

    public void Set(string status, string? detail = null) => _current = new Snapshot(status, detail);

    private sealed record Snapshot(string Status, string? Detail);
}
