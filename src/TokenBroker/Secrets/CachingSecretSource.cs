using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Secrets;

/// <summary>
/// Keeps each secret in memory for <see cref="TokenBrokerOptions.SecretCacheDuration"/>, so Key Vault is read
/// once per secret and period rather than per token request. Concurrent reads of one secret share one call, and
/// when Key Vault fails the last good value keeps serving (a secret does not stop working because the vault is down).
/// </summary>
internal sealed partial class CachingSecretSource(
    ISecretSource inner,
    TimeProvider time,
    IOptions<TokenBrokerOptions> options,
    TokenBrokerMetrics metrics,
    ILogger<CachingSecretSource> logger) : ISecretSource
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly SingleFlight<string, ClientSecret> _reads = new();
    private readonly TimeSpan _duration = options.Value.SecretCacheDuration;

    public ValueTask<ClientSecret> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(name, out var entry) && time.GetUtcNow() < entry.FreshUntil)
        {
            return ValueTask.FromResult(entry.Secret);
        }

        return new ValueTask<ClientSecret>(_reads.RunAsync(name, this, static (self, key) => self.ReloadAsync(key)).WaitAsync(cancellationToken));
    }

    /// <summary>Forgets a secret so the next read goes to the source.</summary>
    public void Invalidate(string name) => _entries.TryRemove(name, out _);

    private async Task<ClientSecret> ReloadAsync(string name)
    {
        try
        {
            // Not the caller's token: one caller giving up must not fail the read the others are waiting on.
            var secret = await inner.GetSecretAsync(name, CancellationToken.None);
            _entries[name] = new Entry(secret, time.GetUtcNow() + _duration);
            metrics.SecretReloaded("success");
            Log.SecretLoaded(logger, name, secret.Version);
            return secret;
        }
        catch (SecretUnavailableException ex) when (_entries.TryGetValue(name, out var stale))
        {
            metrics.SecretReloaded("stale");
            Log.ServingStale(logger, name, stale.Secret.Version, ex.Reason);
            return stale.Secret;
        }
        catch (SecretUnavailableException)
        {
            metrics.SecretReloaded("failure");
            throw;
        }
    }

    private sealed record Entry(ClientSecret Secret, DateTimeOffset FreshUntil);

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Loaded secret {SecretName} version {SecretVersion}")]
        public static partial void SecretLoaded(ILogger logger, string secretName, string secretVersion);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Could not reload secret {SecretName} ({Reason}); keeping last known good version {SecretVersion}")]
        public static partial void ServingStale(ILogger logger, string secretName, string secretVersion, string reason);
    }
}
