using Microsoft.Extensions.Options;
using TokenBroker.Benchmarks.Stubs;
using TokenBroker.Caching;
using TokenBroker.Connections;

namespace TokenBroker.Benchmarks.Memory;

/// <summary>
/// Issue item 5: what the memory tier holds per cached token, for 10,000 connections with a ~1.2 KB JWT each. Measured as
/// retained heap after full collections (so transient garbage does not count), with the cache keys made beforehand because
/// each connection already holds its default key whether or not anything is cached.
/// </summary>
internal static class MemoryFootprint
{
    public const int DefaultConnections = 10_000;

    public static MemoryFootprintResult Measure(int connections = DefaultConnections)
    {
        var now = DateTimeOffset.UtcNow;
        var endpoint = new Uri("https://login.microsoftonline.com/4b6c2a3e-9f1d-4e8a-b7c5-1d2e3f4a5b6c/oauth2/v2.0/token");
        var scopes = ScopeSet.Parse("api://payments-api/.default");
        var refreshAt = now.AddMinutes(45);

        // Entra answers a client-credentials request without a scope member, so every token of a connection carries the
        // connection's own scope string, and the secret version is one string per secret read, shared by its tokens.
        const string SecretVersion = "4d3c2b1a0f9e8d7c6b5a49382716f5e4";
        var keys = new TokenCacheKey[connections];
        var tokens = new string[connections];
        for (var i = 0; i < connections; i++)
        {
            keys[i] = TokenCacheKey.Create($"connection-{i:D5}", endpoint, $"client-{i:D5}", ClientAuthMethod.ClientSecretBasic, scopes);
            tokens[i] = RealisticToken.Create(now, TimeSpan.FromHours(1), i);
        }

        // Without the token strings: what the tier itself costs (MemoryEntry, dictionary node, CachedToken, table growth).
        var cache = NewCache();
        var before = SettledHeap();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < connections; i++)
        {
            cache.Set(keys[i], new CachedToken(tokens[i], "Bearer", scopes.Value, now, now.AddHours(1), SecretVersion), refreshAt, now);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var retained = SettledHeap() - before;
        GC.KeepAlive(cache);

        // With them: the token strings made inside the measured region, as a fetch makes them.
        cache = null;
        tokens = null;
        var withTokens = NewCache();
        before = SettledHeap();
        for (var i = 0; i < connections; i++)
        {
            var token = RealisticToken.Create(now, TimeSpan.FromHours(1), i);
            withTokens.Set(keys[i], new CachedToken(token, "Bearer", scopes.Value, now, now.AddHours(1), SecretVersion), refreshAt, now);
        }

        var retainedWithTokens = SettledHeap() - before;
        if (withTokens.Count != connections)
        {
            throw new InvalidOperationException($"The memory tier holds {withTokens.Count} tokens, not {connections}.");
        }

        GC.KeepAlive(withTokens);
        GC.KeepAlive(keys);
        return new MemoryFootprintResult(
            connections,
            RealisticToken.Length,
            (double)retained / connections,
            (double)retainedWithTokens / connections,
            (double)allocated / connections);
    }

    private static MemoryTokenCache NewCache() => new(new ServingPolicy(Options.Create(new TokenCacheOptions())));

    private static long SettledHeap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
