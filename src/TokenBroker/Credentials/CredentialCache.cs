using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TokenBroker.Coordination;
using TokenBroker.Diagnostics;

namespace TokenBroker.Credentials;

/// <summary>
/// The broker's view of one kind of versioned credential (secrets, certificates). A remote credential is read once per
/// cache duration (concurrent reads share one call) and the last good version survives a Key Vault outage. During a
/// rotation overlap a previous version that still works can be pinned: it is used until the latest version changes.
/// </summary>
internal sealed partial class CredentialCache<TCredential>
    where TCredential : ClientCredential
{
    private static readonly TimeSpan StaleRetryInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StaleReadWait = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly SingleFlight<string, TCredential> _reads = new();
    private readonly ICredentialSource<TCredential> _source;
    private readonly string _kind;
    private readonly TimeProvider _time;
    private readonly TimeSpan _duration;
    private readonly Action<string> _reloaded;
    private readonly ILogger _logger;

    /// <param name="source">Where the credentials come from.</param>
    /// <param name="kind">What they are called in logs: <c>secret</c>, <c>certificate</c>.</param>
    /// <param name="time">The clock.</param>
    /// <param name="duration">How long a remote credential is kept before it is read again.</param>
    /// <param name="reloaded">Counts each remote read by outcome (<c>success</c>, <c>stale</c>, <c>failure</c>).</param>
    /// <param name="logger">The logger of the component that owns the cache.</param>
    public CredentialCache(ICredentialSource<TCredential> source, string kind, TimeProvider time, TimeSpan duration, Action<string> reloaded, ILogger logger)
    {
        _source = source;
        _kind = kind;
        _time = time;
        _duration = duration;
        _reloaded = reloaded;
        _logger = logger;
    }

    /// <summary>The credential to use now: the pinned previous version during an overlap, else the latest.</summary>
    public async ValueTask<TCredential> GetAsync(string name, CancellationToken cancellationToken)
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
    public async ValueTask<TCredential> ReloadAsync(string name, CancellationToken cancellationToken)
    {
        _entries.TryRemove(name, out _);
        return await LoadAsync(name, cancellationToken);
    }

    /// <summary>Older versions that may still be accepted, newest first.</summary>
    public ValueTask<IReadOnlyList<TCredential>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken) =>
        _source.GetPreviousVersionsAsync(name, latestVersion, cancellationToken);

    /// <summary>Uses <paramref name="credential"/> instead of the latest version until the latest version changes.</summary>
    public void Pin(string name, TCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        _entries.AddOrUpdate(
            name,
            static (_, state) => new Entry(state.Credential, state.Credential, state.Self._time.GetUtcNow() + state.Self._duration),
            static (_, existing, state) => existing with { Pinned = state.Credential },
            (Self: this, Credential: credential));
        Log.Pinned(_logger, _kind, name, credential.Version);
    }

    /// <summary>Forgets a credential (a Key Vault event said it changed): the next use reads the source.</summary>
    public void Invalidate(string name) => _entries.TryRemove(name, out _);

    private async ValueTask<TCredential> LoadAsync(string name, CancellationToken cancellationToken)
    {
        var read = _reads.RunAsync(name, this, static (self, key) => self.ReadSourceAsync(key));
        if (!read.IsCompleted && _entries.TryGetValue(name, out var stale))
        {
            // A healthy vault answers in milliseconds. One that hangs would make the caller wait out the client's
            // retries although a last good version is at hand: use it, and let the read finish for the next caller.
            var finished = await Task.WhenAny(read, Task.Delay(StaleReadWait, _time, cancellationToken));
            if (finished != read)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Log.ServingStale(_logger, _kind, name, stale.Latest.Version, "the read is taking long");
                return stale.Latest;
            }
        }

        return await read.WaitAsync(cancellationToken);
    }

    private async Task<TCredential> ReadSourceAsync(string name)
    {
        try
        {
            // Not the caller's token: one caller giving up must not fail the read the others are waiting on.
            var latest = await _source.GetLatestAsync(name, CancellationToken.None);
            var fresh = _time.GetUtcNow() + _duration;
            var stored = _entries.AddOrUpdate(
                name,
                static (_, state) => new Entry(state.Latest, null, state.Fresh),
                // A version is immutable: keeping the object already in use keeps a certificate's signing key warm.
                static (_, existing, state) => existing.Latest.Version == state.Latest.Version
                    ? existing with { FreshUntil = state.Fresh }
                    : new Entry(state.Latest, null, state.Fresh),
                (Latest: latest, Fresh: fresh));
            if (_source.IsRemote)
            {
                _reloaded("success");
                Log.Loaded(_logger, _kind, name, latest.Version);
            }

            return stored.Latest;
        }
        catch (ClientCredentialUnavailableException ex) when (_entries.TryGetValue(name, out var stale))
        {
            // Keep the last good version for a short while before asking again: a vault that never answers would
            // otherwise make every miss wait out the client's retries before the stale version is used.
            var retryAt = _time.GetUtcNow() + (_duration < StaleRetryInterval ? _duration : StaleRetryInterval);
            _entries.TryUpdate(name, stale with { FreshUntil = retryAt }, stale);
            _reloaded("stale");
            Log.ServingStale(_logger, _kind, name, stale.Latest.Version, ex.Reason);
            return stale.Latest;
        }
        catch (ClientCredentialUnavailableException)
        {
            _reloaded("failure");
            throw;
        }
    }

    private sealed record Entry(TCredential Latest, TCredential? Pinned, DateTimeOffset FreshUntil);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.CredentialLoaded, Level = LogLevel.Information, Message = "Loaded {CredentialKind} {CredentialName} version {CredentialVersion}")]
        public static partial void Loaded(ILogger logger, string credentialKind, string credentialName, string credentialVersion);

        [LoggerMessage(EventId = EventIds.ServingStaleCredential, Level = LogLevel.Warning, Message = "Could not reload {CredentialKind} {CredentialName} ({Reason}); keeping last known good version {CredentialVersion}")]
        public static partial void ServingStale(ILogger logger, string credentialKind, string credentialName, string credentialVersion, string reason);

        [LoggerMessage(EventId = EventIds.CredentialPinned, Level = LogLevel.Warning, Message = "The latest version of {CredentialKind} {CredentialName} is refused, so previous version {CredentialVersion} stays in use until the latest changes")]
        public static partial void Pinned(ILogger logger, string credentialKind, string credentialName, string credentialVersion);
    }
}
