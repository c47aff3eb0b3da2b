using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Secrets;

/// <summary>
/// The broker's view of its secrets. A remote secret is read once per <see cref="TokenBrokerOptions.SecretCacheDuration"/>
/// (concurrent reads share one call) and the last good value survives a Key Vault outage. During a rotation overlap a
/// previous version that still works can be pinned: it is used until the latest version changes.
/// </summary>
public sealed partial class SecretCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly SingleFlight<string, ClientSecret> _reads = new();
    private readonly ISecretSource _source;
    private readonly TimeProvider _time;
    private readonly TimeSpan _duration;
    private readonly TokenBrokerMetrics _metrics;
    private readonly ILogger<SecretCache> _logger;

    /// <summary>Creates the cache over <paramref name="source"/>.</summary>
    public SecretCache(ISecretSource source, TimeProvider time, IOptions<TokenBrokerOptions> options, TokenBrokerMetrics metrics, ILogger<SecretCache> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _source = source;
        _time = time;
        _duration = options.Value.SecretCacheDuration;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The secret to use now: the pinned previous version during an overlap, else the latest.</summary>
    public async ValueTask<ClientSecret> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (_source.IsRemote && _entries.TryGetValue(name, out var entry) && _time.GetUtcNow() < entry.FreshUntil)
        {
            return entry.Pinned ?? entry.Latest;
        }

        var latest = await LoadAsync(name, cancellationToken);
        return _entries.TryGetValue(name, out var current) && current.Latest.Version == latest.Version && current.Pinned is not null
            ? current.Pinned
            : latest;
    }

    /// <summary>Reads the latest version from the source, bypassing memory and dropping any pin.</summary>
    public async ValueTask<ClientSecret> ReloadAsync(string name, CancellationToken cancellationToken)
    {
        _entries.TryRemove(name, out _);
        return await LoadAsync(name, cancellationToken);
    }

    /// <summary>Older versions that may still be accepted, newest first.</summary>
    public ValueTask<IReadOnlyList<ClientSecret>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken) =>
        _source.GetPreviousVersionsAsync(name, latestVersion, cancellationToken);

    /// <summary>Uses <paramref name="secret"/> instead of the latest version until the latest version changes.</summary>
    public void Pin(string name, ClientSecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        _entries.AddOrUpdate(
            name,
            static (_, state) => new Entry(state.Secret, state.Secret, state.Self._time.GetUtcNow() + state.Self._duration),
            static (_, existing, state) => existing with { Pinned = state.Secret },
            (Self: this, Secret: secret));
        Log.Pinned(_logger, name, secret.Version);
    }

    /// <summary>Forgets a secret (a Key Vault event said it changed): the next use reads the source.</summary>
    public void Invalidate(string name) => _entries.TryRemove(name, out _);

    private async ValueTask<ClientSecret> LoadAsync(string name, CancellationToken cancellationToken) =>
        await _reads.RunAsync(name, this, static (self, key) => self.ReadSourceAsync(key)).WaitAsync(cancellationToken);

    private async Task<ClientSecret> ReadSourceAsync(string name)
    {
        try
        {
            // Not the caller's token: one caller giving up must not fail the read the others are waiting on.
            var latest = await _source.GetLatestAsync(name, CancellationToken.None);
            var fresh = _time.GetUtcNow() + _duration;
            _entries.AddOrUpdate(
                name,
                static (_, state) => new Entry(state.Latest, null, state.Fresh),
                static (_, existing, state) => existing.Latest.Version == state.Latest.Version
                    ? existing with { Latest = state.Latest, FreshUntil = state.Fresh }
                    : new Entry(state.Latest, null, state.Fresh),
                (Latest: latest, Fresh: fresh));
            if (_source.IsRemote)
            {
                _metrics.SecretReloaded("success");
                Log.SecretLoaded(_logger, name, latest.Version);
            }

            return latest;
        }
        catch (SecretUnavailableException ex) when (_entries.TryGetValue(name, out var stale))
        {
            _metrics.SecretReloaded("stale");
            Log.ServingStale(_logger, name, stale.Latest.Version, ex.Reason);
            return stale.Latest;
        }
        catch (SecretUnavailableException)
        {
            _metrics.SecretReloaded("failure");
            throw;
        }
    }

    private sealed record Entry(ClientSecret Latest, ClientSecret? Pinned, DateTimeOffset FreshUntil);

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Loaded secret {SecretName} version {SecretVersion}")]
        public static partial void SecretLoaded(ILogger logger, string secretName, string secretVersion);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Could not reload secret {SecretName} ({Reason}); keeping last known good version {SecretVersion}")]
        public static partial void ServingStale(ILogger logger, string secretName, string secretVersion, string reason);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Secret {SecretName}: the latest version is refused, so previous version {SecretVersion} stays in use until the latest changes")]
        public static partial void Pinned(ILogger logger, string secretName, string secretVersion);
    }
}
