using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Acquisition;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;
using TokenBroker.Refresh;

namespace TokenBroker.Coordination;

/// <summary>
/// Gets a token into both tiers with as few authorization-server calls as the whole fleet can manage. The shared entity
/// is read first; one instance takes its lease (an ETag-conditional write) and fetches while the others serve what they
/// have or wait briefly for its result; failures publish holds (Retry-After, rejected secrets) every instance respects.
/// With Table Storage down each instance fetches for itself (its single flight still holds).
/// </summary>
internal sealed partial class CoordinatedFetcher(
    TableTokenStore store,
    MemoryTokenCache memory,
    ServingPolicy serving,
    TokenAcquirer acquirer,
    RefreshPolicy policy,
    TimeProvider time,
    IOptions<CoordinationOptions> coordinationOptions,
    FetchLatency latency,
    IOptions<TokenEndpointOptions> endpointOptions,
    TokenBrokerMetrics metrics,
    ILogger<CoordinatedFetcher> logger)
{
    // The stagger covers this many of the fetcher's fetches, so its token is usually in the table before the others look.
    private const int StaggerFetches = 4;

    private readonly CoordinationOptions _options = coordinationOptions.Value;
    private readonly ConcurrentDictionary<string, Hold> _localHolds = new(StringComparer.Ordinal);

    /// <summary>Names this instance in leases: unique per process, readable in the table.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Guid.NewGuid():N}";

    public async Task<FetchResult> FetchAsync(Connection connection, TokenCacheKey key, ScopeSet scopes, FetchMode mode, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();

        // Taken before the table is read: if the connection is evicted meanwhile, nothing this fetch produces is kept.
        var generation = memory.GenerationOf(key.PartitionKey);
        var inMemory = memory.TryGet(key, now, out var cached) ? cached : null;
        if (mode != FetchMode.Forced && inMemory is not null && (mode == FetchMode.Request || inMemory.RefreshAt > now))
        {
            return Served(inMemory.Token);
        }

        var read = await store.ReadAsync(key, cancellationToken);
        var (available, entry) = (read.IsAvailable, read.Entry);
        if (entry?.Token is { } stored && serving.IsServable(stored, now) && mode != FetchMode.Forced)
        {
            var refreshAt = entry.RefreshAt ?? policy.RefreshAt(stored);
            if (mode == FetchMode.Request || refreshAt > now)
            {
                return ServeFromTable(connection, entry, stored, refreshAt, now, generation);
            }
        }

        if (mode != FetchMode.Forced && HeldBy(key, entry, now) is { } hold)
        {
            return new FetchResult(TokenResult.Failure(hold), FetchOutcome.Held);
        }

        if (available)
        {
            var lease = await store.TryTakeLeaseAsync(key, entry, scopes.Value, InstanceId, now, now + _options.LeaseDuration, cancellationToken);
            if (lease == LeaseOutcome.HeldByOther)
            {
                metrics.LeaseContended(connection.Name);
            }

            if (lease == LeaseOutcome.HeldByOther && mode != FetchMode.Forced)
            {
                if (mode == FetchMode.Refresh && memory.TryGet(key, now, out var current))
                {
                    // Another instance is refreshing: take its token into memory when it lands (this entry's one-shot
                    // refresh is spent, so without this the old token would be served until its margin and then missed).
                    var fromHolder = await WaitForPeerAsync(connection, key, current.Token, HolderHeadStart(entry), generation, cancellationToken);
                    return fromHolder is { Outcome: FetchOutcome.Served } refreshed
                        ? refreshed with { Outcome = FetchOutcome.LeasedElsewhere }
                        : new FetchResult(TokenResult.Success(current.Token), FetchOutcome.LeasedElsewhere);
                }

                if (await WaitForPeerAsync(connection, key, entry?.Token, HolderHeadStart(entry), generation, cancellationToken) is { } fromPeer)
                {
                    return fromPeer;
                }
            }
        }

        metrics.CacheMiss(connection.Name);
        var fetchStarted = latency.Clock.GetTimestamp();
        var acquired = await acquirer.AcquireAsync(connection, scopes, cancellationToken);
        now = time.GetUtcNow();
        if (acquired.Error is { } error)
        {
            await PublishFailureAsync(connection, key, error, acquired.EverySecretRefused, now, available, cancellationToken);
            return new FetchResult(TokenResult.Failure(error), FetchOutcome.Failed);
        }

        var token = acquired.Token!;
        _localHolds.TryRemove(key.Value, out _);
        Log.TokenAcquired(logger, connection.Name, scopes.Value, token.ExpiresOn, token.SecretVersion);
        if (!acquired.Cacheable)
        {
            if (available)
            {
                await store.RecordFailureAsync(key, "uncacheable_token", null, null, cancellationToken);
            }

            return new FetchResult(TokenResult.Success(token), FetchOutcome.Fetched);
        }

        var previous = entry?.Token ?? inMemory?.Token;
        var sameToken = previous is not null && previous.ExpiresOn == token.ExpiresOn && mode != FetchMode.Request;
        var nextRefresh = sameToken ? policy.BackOff(token, now) : policy.RefreshAt(token);
        // A refresh writes the last use this instance has seen, as its usage mark would: the other instances read it with the
        // new token, so while this one serves callers none of them needs a mark of its own (see UsageMarker).
        var lastRequested = mode == FetchMode.Request ? now : Later(entry?.LastRequestedOn, inMemory?.LastRequested) ?? now;
        var kept = memory.Set(key, token, nextRefresh, lastRequested, generation);
        if (kept is null)
        {
            // Evicted while this fetch ran: the caller that asked before the eviction gets the token, no tier keeps it.
            if (available)
            {
                await store.RecordFailureAsync(key, "evicted_during_fetch", null, null, cancellationToken);
            }

            return new FetchResult(TokenResult.Success(token), FetchOutcome.Fetched);
        }

        if (available && await store.WriteTokenAsync(key, token, new TokenEntityContext(scopes.Value, connection.ClientId, connection.TokenEndpoint, nextRefresh, lastRequested), cancellationToken))
        {
            // What a peer waiting on this lease sees: from the lease to the token in the table.
            latency.Observe(connection, latency.Clock.GetElapsedTime(fetchStarted));
            kept.NoteLastRequestedInTable(lastRequested);
        }

        if (sameToken)
        {
            Log.SameTokenReturned(logger, connection.Name, token.ExpiresOn, nextRefresh);
        }

        return new FetchResult(TokenResult.Success(token), sameToken ? FetchOutcome.SameToken : FetchOutcome.Fetched);
    }

    /// <summary>Lifts every hold on a connection's entries on this instance (a secret changed; the shared hold is lifted by the forced fetch).</summary>
    public void ClearLocalHolds(Connection connection)
    {
        var partition = connection.DefaultCacheKey.PartitionKey;
        foreach (var key in _localHolds.Keys.Where(k => TokenCacheKey.IsInPartition(k, partition)))
        {
            _localHolds.TryRemove(key, out _);
        }
    }

    private static FetchResult Served(CachedToken token) => new(TokenResult.Success(token), FetchOutcome.Served);

    private FetchResult ServeFromTable(Connection connection, StoredEntry entry, CachedToken token, DateTimeOffset refreshAt, DateTimeOffset now, long generation)
    {
        // Another instance fetched this token: it refreshes first, this one a stagger later (usually finding its new token).
        memory.Set(entry.Key, token, refreshAt, now, generation, RefreshStagger(connection, token, refreshAt, now))?.NoteLastRequestedInTable(entry.LastRequestedOn);
        TokenBrokerMetrics.TableHit(connection);
        return Served(token);
    }

    // At least the configured stagger, or a few of the fetcher's fetch times (lease to token in the table) when longer, then
    // up to twice that at random so the waiting instances do not race each other if the fetcher is gone; capped at half of
    // what is left of the refresh window, so a lost fetcher is still replaced well before the token stops being served.
    private TimeSpan RefreshStagger(Connection connection, CachedToken token, DateTimeOffset refreshAt, DateTimeOffset now)
    {
        if (_options.RefreshStagger <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var fetches = (latency.Expected(connection) ?? TimeSpan.Zero) * StaggerFetches;
        var least = fetches > _options.RefreshStagger ? fetches : _options.RefreshStagger;
        var stagger = least * (1 + Random.Shared.NextDouble());
        var from = refreshAt > now ? refreshAt : now;
        var cap = (serving.ServeUntil(token) - from) / 2;
        return cap <= TimeSpan.Zero ? TimeSpan.Zero : stagger < cap ? stagger : cap;
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private TokenError? HeldBy(TokenCacheKey key, StoredEntry? entry, DateTimeOffset now)
    {
        if (entry?.RejectedUntil is { } rejected && rejected > now)
        {
            return RejectedHold(entry.LastError, rejected - now);
        }

        // A hold longer than the limit was not written by a broker that honours it (an older version, or a tampered
        // row): ignored, so the next fetch overwrites it instead of it holding the connection for years.
        if (entry?.RetryAfterUntil is { } retry && retry > now && retry - now <= endpointOptions.Value.RetryAfterLimit)
        {
            return UnavailableHold(retry - now);
        }

        if (_localHolds.TryGetValue(key.Value, out var hold) && hold.Until > now)
        {
            return hold.Kind == TokenErrorKind.UpstreamRejected ? RejectedHold(hold.UpstreamError, hold.Until - now) : UnavailableHold(hold.Until - now);
        }

        return null;
    }

    private static TokenError RejectedHold(string? upstreamError, TimeSpan left) =>
        new(TokenErrorKind.UpstreamRejected, "The authorization server refused this connection's credentials moments ago; the broker waits before trying again.")
        {
            UpstreamError = upstreamError,
            RetryAfter = left,
        };

    private static TokenError UnavailableHold(TimeSpan left) =>
        new(TokenErrorKind.UpstreamUnavailable, "The authorization server asked for a pause; try again later.") { RetryAfter = left };

    private async Task PublishFailureAsync(Connection connection, TokenCacheKey key, TokenError error, bool everyCredentialRefused, DateTimeOffset now, bool available, CancellationToken cancellationToken)
    {
        DateTimeOffset? retryAfterUntil = error is { Kind: TokenErrorKind.UpstreamUnavailable, RetryAfter: { } wait } ? now + wait : null;

        // The hold protects the server's lockout counter from credentials it refused; any other refusal (a bad scope, an
        // unauthorized client) is answered as it is and tried again by the next request.
        DateTimeOffset? rejectedUntil = everyCredentialRefused && error.Kind == TokenErrorKind.UpstreamRejected && _options.RejectionHold > TimeSpan.Zero
            ? now + _options.RejectionHold
            : null;
        if ((retryAfterUntil ?? rejectedUntil) is { } until)
        {
            _localHolds[key.Value] = new Hold(until, error.Kind, error.UpstreamError);
        }

        if (available)
        {
            await store.RecordFailureAsync(key, error.UpstreamError ?? error.Kind.ToString(), retryAfterUntil, rejectedUntil, cancellationToken);
        }
    }

    // How long ago the holder took the lease this instance found in its read (every instance writes LeaseUntil as its now
    // plus the LeaseDuration they share): its fetch is that far along already. Zero when this instance lost the insert
    // race instead, as the holder's fetch starts then. The holder's now was taken before its own read and insert, so this
    // errs a round trip or two early: at worst one more read, never a longer wait. A skewed clock or another LeaseDuration
    // moves the first read by the skew: PeerPollSchedule keeps the head start within the wait and the reads within the limit.
    private TimeSpan HolderHeadStart(StoredEntry? entry)
    {
        var now = time.GetUtcNow();
        if (entry?.LeaseUntil is not { } until || !entry.IsLeasedByOther(InstanceId, now))
        {
            return TimeSpan.Zero;
        }

        var ago = now - (until - _options.LeaseDuration);
        return ago > TimeSpan.Zero ? ago : TimeSpan.Zero;
    }

    // Reads on the schedule FetchLatency suggests (first when the holder's fetches usually land, counted from the holder's
    // lease, then backing off), at most PeerReadLimit times, for at most PeerWait; on FetchLatency's clock, real time by
    // default (see there why).
    private async Task<FetchResult?> WaitForPeerAsync(Connection connection, TokenCacheKey key, CachedToken? previous, TimeSpan holderHeadStart, long generation, CancellationToken cancellationToken)
    {
        var schedule = new PeerPollSchedule(latency.Clock, latency.Expected(connection), _options.PeerPollInterval, _options.PeerReadLimit, _options.PeerWait, holderHeadStart);
        while (await schedule.WaitForNextReadAsync(cancellationToken))
        {
            var now = time.GetUtcNow();
            var read = await store.ReadAsync(key, cancellationToken);
            if (!read.IsAvailable)
            {
                return null;
            }

            var entry = read.Entry;

            if (entry?.Token is { } token && serving.IsServable(token, now) && (previous is null || token.AcquiredOn > previous.AcquiredOn))
            {
                return ServeFromTable(connection, entry, token, entry.RefreshAt ?? policy.RefreshAt(token), now, generation);
            }

            if (HeldBy(key, entry, now) is { } hold)
            {
                return new FetchResult(TokenResult.Failure(hold), FetchOutcome.Held);
            }

            if (entry is null || entry.LeaseUntil is not { } until || until <= now)
            {
                // The holder gave up or crashed without a result: fetch ourselves.
                return null;
            }
        }

        Log.PeerTooSlow(logger, connection.Name, _options.PeerWait, schedule.Reads);
        return null;
    }

    private sealed record Hold(DateTimeOffset Until, TokenErrorKind Kind, string? UpstreamError);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.TokenAcquired, Level = LogLevel.Information, Message = "Acquired a token for connection {Connection} (scope '{Scope}') expiring {ExpiresOn:O} with secret version {SecretVersion}")]
        public static partial void TokenAcquired(ILogger logger, string connection, string scope, DateTimeOffset expiresOn, string secretVersion);

        [LoggerMessage(EventId = EventIds.PeerTooSlow, Level = LogLevel.Warning, Message = "Connection {Connection}: the instance holding the lease produced no token within {Wait} ({Reads} table reads); fetching here")]
        public static partial void PeerTooSlow(ILogger logger, string connection, TimeSpan wait, int reads);

        [LoggerMessage(EventId = EventIds.SameTokenReturned, Level = LogLevel.Information, Message = "Connection {Connection}: the refresh returned a token expiring {ExpiresOn:O} like the old one; next attempt at {NextRefresh:O}")]
        public static partial void SameTokenReturned(ILogger logger, string connection, DateTimeOffset expiresOn, DateTimeOffset nextRefresh);
    }
}
