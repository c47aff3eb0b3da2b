using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;

namespace TokenBroker.Secrets;

/// <summary>
/// The broker's view of its secrets. A remote secret is read once per <see cref="TokenBrokerOptions.SecretCacheDuration"/>
/// (concurrent reads share one call) and the last good value survives a Key Vault outage. During a rotation overlap a
/// previous version that still works can be pinned: it is used until the latest version changes.
/// </summary>
internal sealed class SecretCache
{
    private readonly CredentialCache<ClientSecret> _cache;

    /// <summary>Creates the cache over <paramref name="source"/>.</summary>
    public SecretCache(ISecretSource source, TimeProvider time, IOptions<TokenBrokerOptions> options, TokenBrokerMetrics metrics, ILogger<SecretCache> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _cache = new CredentialCache<ClientSecret>(new Source(source), "secret", time, options.Value.SecretCacheDuration, metrics.SecretReloaded, logger);
    }

    /// <summary>The secret to use now: the pinned previous version during an overlap, else the latest.</summary>
    public ValueTask<ClientSecret> GetAsync(string name, CancellationToken cancellationToken) => _cache.GetAsync(name, cancellationToken);

    /// <summary>Reads the latest version from the source, bypassing memory and dropping any pin.</summary>
    public ValueTask<ClientSecret> ReloadAsync(string name, CancellationToken cancellationToken) => _cache.ReloadAsync(name, cancellationToken);

    /// <summary>Older versions that may still be accepted, newest first.</summary>
    public ValueTask<IReadOnlyList<ClientSecret>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken) =>
        _cache.GetPreviousVersionsAsync(name, latestVersion, cancellationToken);

    /// <summary>Uses <paramref name="secret"/> instead of the latest version until the latest version changes.</summary>
    public void Pin(string name, ClientSecret secret) => _cache.Pin(name, secret);

    /// <summary>Forgets a secret (a Key Vault event said it changed): the next use reads the source.</summary>
    public void Invalidate(string name)
    {
        _cache.Invalidate(name);
        Invalidated?.Invoke(name);
    }

    /// <summary>
    /// Raised after <see cref="Invalidate"/>. A Key Vault certificate's private key is read through the secret of the same
    /// name, which gets a new version with every certificate version, so the certificate cache listens here: either Key
    /// Vault event (secret or certificate) then reaches it.
    /// </summary>
    internal event Action<string>? Invalidated;

    // ISecretSource is public and replaceable by hosts; the shared cache only needs its three members.
    private sealed class Source(ISecretSource source) : ICredentialSource<ClientSecret>
    {
        public bool IsRemote => source.IsRemote;

        public ValueTask<ClientSecret> GetLatestAsync(string name, CancellationToken cancellationToken) =>
            source.GetLatestAsync(name, cancellationToken);

        public ValueTask<IReadOnlyList<ClientSecret>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken) =>
            source.GetPreviousVersionsAsync(name, latestVersion, cancellationToken);
    }
}
