using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Coordination;
using TokenBroker.Diagnostics;
using TokenBroker.Secrets;

namespace TokenBroker.Credentials;

/// <summary>
/// The broker's one view of its versioned credentials (secrets and certificates), over a source per kind. A remote
/// credential is read once per <see cref="CredentialSourceOptions.SecretCacheDuration"/> (concurrent reads share one call)
/// and the last good version survives a Key Vault outage. During a rotation overlap a previous version that still works
/// can be pinned: it is used until the latest version changes. A <see cref="ICredentialVersionHold"/> (an automatic
/// certificate rotation) may name the version to use instead of the latest; it is asked on every read from the source.
/// <see cref="Invalidate"/> is the one call that says a Key Vault object changed.
/// </summary>
internal sealed partial class CredentialCache
{
    private static readonly TimeSpan StaleRetryInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StaleReadWait = TimeSpan.FromSeconds(2);

    // Keyed by kind and lower-cased name: Key Vault names are case-insensitive, so two spellings are one object.
    private readonly ConcurrentDictionary<VaultObject, Entry> _entries = new();
    private readonly ConcurrentDictionary<string, long> _invalidations = new(StringComparer.OrdinalIgnoreCase);
    private readonly SingleFlight<VaultObject, ClientCredential> _reads = new();
    private readonly Dictionary<string, ICredentialSource> _sources;
    private readonly ICredentialVersionHold[] _holds;
    private readonly TimeProvider _time;
    private readonly TimeSpan _duration;
    private readonly TokenBrokerMetrics _metrics;
    private readonly ILogger<CredentialCache> _logger;

    public CredentialCache(IEnumerable<ICredentialSource> sources, IEnumerable<ICredentialVersionHold> holds, TimeProvider time, IOptions<CredentialSourceOptions> options, TokenBrokerMetrics metrics, ILogger<CredentialCache> logger)
    {
        _sources = sources.ToDictionary(s => s.Kind, StringComparer.Ordinal);
        _holds = [.. holds];
        _time = time;
        _duration = options.Value.SecretCacheDuration;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The credential to use now: the pinned previous version during an overlap, else the latest.</summary>
    /// <exception cref="ClientCredentialUnavailableException">It cannot be read and no good version is at hand.</exception>
    public async ValueTask<ClientCredential> GetAsync(VaultObject vaultObject, CancellationToken cancellationToken)
    {
        var key = Key(vaultObject);
        if (Source(vaultObject).IsRemote && _entries.TryGetValue(key, out var entry) && _time.GetUtcNow() < entry.FreshUntil)
        {
            return entry.Pinned ?? entry.Latest;
        }

        var latest = await LoadAsync(vaultObject, cancellationToken);
        return _entries.TryGetValue(key, out var current) && current.Latest.Version == latest.Version && current.Pinned is not null
            ? current.Pinned
            : latest;
    }

    /// <summary>Reads the latest version from the source, bypassing memory and dropping any pin.</summary>
    public async ValueTask<ClientCredential> ReloadAsync(VaultObject vaultObject, CancellationToken cancellationToken)
    {
        _entries.TryRemove(Key(vaultObject), out _);
        return await LoadAsync(vaultObject, cancellationToken);
    }

    /// <summary>Older versions that may still be accepted, newest first.</summary>
    public ValueTask<IReadOnlyList<ClientCredential>> GetPreviousVersionsAsync(VaultObject vaultObject, string latestVersion, CancellationToken cancellationToken) =>
        Source(vaultObject).GetPreviousVersionsAsync(vaultObject.Name, latestVersion, cancellationToken);

    /// <summary>Uses <paramref name="credential"/> instead of the latest version until the latest version changes.</summary>
    public void Pin(VaultObject vaultObject, ClientCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        _entries.AddOrUpdate(
            Key(vaultObject),
            static (_, state) => new Entry(state.Credential, state.Credential, state.Self._time.GetUtcNow() + state.Self._duration),
            static (_, existing, state) => existing with { Pinned = state.Credential },
            (Self: this, Credential: credential));
        Log.Pinned(_logger, vaultObject.Kind, vaultObject.Name, credential.Version);
    }

    /// <summary>
    /// Forgets every object named <paramref name="name"/>, whatever its kind (a Key Vault event said it changed): the next
    /// use reads the source. A certificate's private key is read through the secret of the same name, which gets a new
    /// version with every certificate version, so either event reaches the certificate.
    /// </summary>
    public void Invalidate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var kind in _sources.Keys)
        {
            _entries.TryRemove(Key(new VaultObject(kind, name)), out _);
        }

        _invalidations.AddOrUpdate(name, 1, static (_, count) => count + 1);
    }

    /// <summary>
    /// How many times <paramref name="name"/> was invalidated: what a component that derives something from an object
    /// (the token protector's list of previous keys) compares to learn that it changed, without a callback.
    /// </summary>
    public long InvalidationsOf(string name) => _invalidations.GetValueOrDefault(name);

    /// <summary>The secret named <paramref name="name"/> to use now.</summary>
    /// <exception cref="SecretUnavailableException">It cannot be read and no good version is at hand.</exception>
    public async ValueTask<ClientSecret> GetSecretAsync(string name, CancellationToken cancellationToken) =>
        (ClientSecret)await GetAsync(VaultObject.Secret(name), cancellationToken);

    /// <summary>Older versions of the secret named <paramref name="name"/> that may still be valid, newest first.</summary>
    /// <exception cref="SecretUnavailableException">They cannot be listed or read.</exception>
    public async ValueTask<IReadOnlyList<ClientSecret>> GetPreviousSecretsAsync(string name, string latestVersion, CancellationToken cancellationToken) =>
        [.. (await GetPreviousVersionsAsync(VaultObject.Secret(name), latestVersion, cancellationToken)).Cast<ClientSecret>()];

    private static VaultObject Key(VaultObject vaultObject) => vaultObject with { Name = vaultObject.Name.ToLowerInvariant() };

    private ICredentialSource Source(VaultObject vaultObject) =>
        _sources.TryGetValue(vaultObject.Kind, out var source)
            ? source
            : throw new InvalidOperationException($"No credential source is registered for {vaultObject.Kind}s.");

    private async ValueTask<ClientCredential> LoadAsync(VaultObject vaultObject, CancellationToken cancellationToken)
    {
        var key = Key(vaultObject);
        var read = _reads.RunAsync(key, (Self: this, Object: vaultObject), static (state, _) => state.Self.ReadSourceAsync(state.Object));
        if (!read.IsCompleted && _entries.TryGetValue(key, out var stale))
        {
            // A healthy vault answers in milliseconds. One that hangs would make the caller wait out the client's
            // retries although a last good version is at hand: use it, and let the read finish for the next caller.
            var finished = await Task.WhenAny(read, Task.Delay(StaleReadWait, _time, cancellationToken));
            if (finished != read)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Log.ServingStale(_logger, vaultObject.Kind, vaultObject.Name, stale.Latest.Version, "the read is taking long");
                return stale.Latest;
            }
        }

        return await read.WaitAsync(cancellationToken);
    }

    private async Task<ClientCredential> ReadSourceAsync(VaultObject vaultObject)
    {
        var key = Key(vaultObject);
        var source = Source(vaultObject);
        try
        {
            // Not the caller's token: one caller giving up must not fail the read the others are waiting on.
            var latest = await source.GetLatestAsync(vaultObject.Name, CancellationToken.None);
            var held = await HeldAsync(vaultObject, source, latest);
            var fresh = _time.GetUtcNow() + _duration;
            var stored = _entries.AddOrUpdate(
                key,
                static (_, state) => new Entry(state.Latest, state.Held?.Credential, state.Fresh),
                // A version is immutable: keeping the object already in use keeps a certificate's signing key warm.
                static (_, existing, state) => existing.Latest.Version == state.Latest.Version
                    ? existing with { FreshUntil = state.Fresh, Pinned = state.Held is { } h ? Same(existing.Pinned, h.Credential) : existing.Pinned }
                    : new Entry(state.Latest, state.Held?.Credential, state.Fresh),
                (Latest: latest, Held: held, Fresh: fresh));
            if (source.IsRemote)
            {
                _metrics.CredentialReloaded(vaultObject.Kind, "success");
                Log.Loaded(_logger, vaultObject.Kind, vaultObject.Name, latest.Version);
            }

            return stored.Latest;
        }
        catch (ClientCredentialUnavailableException ex) when (_entries.TryGetValue(key, out var stale))
        {
            // Keep the last good version for a short while before asking again: a vault that never answers would
            // otherwise make every miss wait out the client's retries before the stale version is used.
            var retryAt = _time.GetUtcNow() + (_duration < StaleRetryInterval ? _duration : StaleRetryInterval);
            _entries.TryUpdate(key, stale with { FreshUntil = retryAt }, stale);
            _metrics.CredentialReloaded(vaultObject.Kind, "stale");
            Log.ServingStale(_logger, vaultObject.Kind, vaultObject.Name, stale.Latest.Version, ex.Reason);
            return stale.Latest;
        }
        catch (ClientCredentialUnavailableException)
        {
            _metrics.CredentialReloaded(vaultObject.Kind, "failure");
            throw;
        }
    }

    // What the holds say: null when none governs the object (a pin from the fallback stays); else the version to use
    // instead of the latest, null in Credential when that is the latest itself (any pin is dropped).
    private async Task<Held?> HeldAsync(VaultObject vaultObject, ICredentialSource source, ClientCredential latest)
    {
        foreach (var hold in _holds)
        {
            if (await hold.GetHeldVersionAsync(vaultObject, latest.Version, CancellationToken.None) is not { } version)
            {
                continue;
            }

            if (version == latest.Version)
            {
                return new Held(null);
            }

            var key = Key(vaultObject);
            if (_entries.TryGetValue(key, out var entry) && entry.Pinned?.Version == version)
            {
                return new Held(entry.Pinned);
            }

            try
            {
                var credential = await source.GetVersionAsync(vaultObject.Name, version, CancellationToken.None);
                Log.Held(_logger, vaultObject.Kind, vaultObject.Name, version, latest.Version);
                return new Held(credential);
            }
            catch (ClientCredentialUnavailableException ex)
            {
                // The held version is gone or unreadable: the latest it is, with the invalid_client fallback behind it.
                Log.HeldUnavailable(_logger, vaultObject.Kind, vaultObject.Name, version, ex.Reason);
                return new Held(null);
            }
        }

        return null;
    }

    private static ClientCredential? Same(ClientCredential? existing, ClientCredential? wanted) =>
        existing is not null && wanted is not null && existing.Version == wanted.Version ? existing : wanted;

    private sealed record Held(ClientCredential? Credential);

    private sealed record Entry(ClientCredential Latest, ClientCredential? Pinned, DateTimeOffset FreshUntil);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.CredentialLoaded, Level = LogLevel.Information, Message = "Loaded {CredentialKind} {CredentialName} version {CredentialVersion}")]
        public static partial void Loaded(ILogger logger, string credentialKind, string credentialName, string credentialVersion);

        [LoggerMessage(EventId = EventIds.ServingStaleCredential, Level = LogLevel.Warning, Message = "Could not reload {CredentialKind} {CredentialName} ({Reason}); keeping last known good version {CredentialVersion}")]
        public static partial void ServingStale(ILogger logger, string credentialKind, string credentialName, string credentialVersion, string reason);

        [LoggerMessage(EventId = EventIds.CredentialPinned, Level = LogLevel.Warning, Message = "The latest version of {CredentialKind} {CredentialName} is refused, so previous version {CredentialVersion} stays in use until the latest changes")]
        public static partial void Pinned(ILogger logger, string credentialKind, string credentialName, string credentialVersion);

        [LoggerMessage(EventId = EventIds.CredentialHeld, Level = LogLevel.Information, Message = "{CredentialKind} {CredentialName}: version {CredentialVersion} stays in use instead of the latest {LatestVersion} while an automatic rotation registers the latest")]
        public static partial void Held(ILogger logger, string credentialKind, string credentialName, string credentialVersion, string latestVersion);

        [LoggerMessage(EventId = EventIds.CredentialHeldUnavailable, Level = LogLevel.Warning, Message = "{CredentialKind} {CredentialName}: the version a rotation holds, {CredentialVersion}, cannot be read ({Reason}); using the latest")]
        public static partial void HeldUnavailable(ILogger logger, string credentialKind, string credentialName, string credentialVersion, string reason);
    }
}
