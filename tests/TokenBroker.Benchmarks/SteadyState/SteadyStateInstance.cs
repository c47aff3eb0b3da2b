using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TokenBroker.Benchmarks.Storage;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Refresh;

namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>
/// One broker core of the simulation, and what the simulation knows of its background refreshes: the broker starts at
/// most one per memory entry (the entry's flag), and a refresh that stores a token replaces the entry.
/// </summary>
internal sealed class SteadyStateInstance : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly MemoryTokenCache _memory;
    private readonly TokenCacheKey[] _keys;
    private readonly MemoryEntry?[] _refreshStartedOn;

    public SteadyStateInstance(IHost host, IReadOnlyList<string> connections, TableTransactionCounter table, CountingVault vault)
    {
        _host = host;
        Table = table;
        Vault = vault;
        _memory = host.Services.GetRequiredService<MemoryTokenCache>();
        var registry = host.Services.GetRequiredService<ConnectionRegistry>();
        _keys = [.. connections.Select(name => registry.TryGet(name, out var connection) ? connection.DefaultCacheKey : throw new InvalidOperationException($"No connection {name}."))];
        _refreshStartedOn = new MemoryEntry?[_keys.Length];
        Broker = host.Services.GetRequiredService<TokenBrokerService>();
        Job = host.Services.GetRequiredService<TokenRefreshJob>();
        Refreshes = new RefreshCounter(host.Services.GetRequiredService<IMeterFactory>());
    }

    public TokenBrokerService Broker { get; }

    /// <summary>This instance's Table Storage requests.</summary>
    public TableTransactionCounter Table { get; }

    /// <summary>This instance's Key Vault.</summary>
    public CountingVault Vault { get; }

    public TokenRefreshJob Job { get; }

    public RefreshCounter Refreshes { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Whether a request for connection <paramref name="index"/> at <paramref name="now"/> starts a background refresh: a
    /// memory hit at or past the entry's refresh point on this instance (staggered), on an entry whose refresh has not been started yet.
    /// </summary>
    public bool StartsRefresh(int index, DateTimeOffset now)
    {
        if (!_memory.TryGet(_keys[index], now, out var entry) || now < entry.StaggeredRefreshAt || ReferenceEquals(entry, _refreshStartedOn[index]))
        {
            return false;
        }

        _refreshStartedOn[index] = entry;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        Refreshes.Dispose();
        await _host.StopAsync();
        _host.Dispose();
    }
}
