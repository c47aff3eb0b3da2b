using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Access;
using TokenBroker.Audit;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Coordination;
using TokenBroker.Diagnostics;

namespace TokenBroker;

/// <summary>
/// The request path. A memory hit is synchronous and allocates nothing; a hit inside the refresh window also starts one
/// background refresh, so callers never wait on the authorization server while a usable token exists. Everything slower
/// runs in a single flight per cache key and instance, through the <see cref="CoordinatedFetcher"/>.
/// </summary>
internal sealed partial class TokenBrokerService(
    ConnectionRegistry connections,
    AccessPolicy policy,
    MemoryTokenCache memory,
    TableTokenStore store,
    CoordinatedFetcher fetcher,
    TimeProvider time,
    IOptions<TokenBrokerOptions> options,
    TokenBrokerMetrics metrics,
    AuditTrail audit,
    ILogger<TokenBrokerService> logger) : ITokenBroker, IDisposable
{
    // Hits inside the refresh window try again this long after a failed background refresh: soon, but not on every hit.
    private static readonly TimeSpan BackgroundRefreshRetry = TimeSpan.FromSeconds(15);

    private readonly SingleFlight<string, FetchResult> _flights = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    public ValueTask<TokenResult> GetTokenAsync(string connection, string? scope, Caller caller, CancellationToken cancellationToken) =>
        GetTokenCoreAsync(connection, scope, caller ?? throw new ArgumentNullException(nameof(caller)), cancellationToken);

    /// <summary>
    /// As <see cref="GetTokenAsync(string, string?, Caller, CancellationToken)"/> without a caller: no access policy applies
    /// and deliveries count as in-process. Not part of <see cref="ITokenBroker"/>, so nothing outside this assembly and its
    /// friends (the tests and benchmarks, which measure the bare request path) can skip the policy.
    /// </summary>
    internal ValueTask<TokenResult> GetTokenAsync(string connection, string? scope, CancellationToken cancellationToken) =>
        GetTokenCoreAsync(connection, scope, null, cancellationToken);

    private ValueTask<TokenResult> GetTokenCoreAsync(string connection, string? scope, Caller? caller, CancellationToken cancellationToken)
    {
        if (!ConnectionName.IsValid(connection))
        {
            return Fail(TokenErrorKind.InvalidConnectionName, $"A connection name is {ConnectionName.Rule}.");
        }

        ScopeSet? requested = null;
        if (!string.IsNullOrWhiteSpace(scope))
        {
            if (!ScopeSet.TryParse(scope, out var parsed, out var error))
            {
                return Fail(TokenErrorKind.InvalidScope, error!);
            }

            requested = parsed;
        }

        // The access policy decides before anything that depends on configuration: a caller not granted a connection gets
        // the same 403 whether it exists or not, and never learns its allowed scopes. Syntax errors above reveal nothing.
        if (caller is not null && policy.EvaluateConnection(caller, connection) is { Allowed: false } notGranted)
        {
            return Fail(TokenErrorKind.CallerNotAllowed, notGranted.Reason!);
        }

        if (!connections.TryGet(connection, out var target))
        {
            return Fail(TokenErrorKind.ConnectionNotFound, ConnectionName.NotFoundMessage(connection));
        }

        ScopeSet scopes;
        TokenCacheKey key;
        if (requested is null)
        {
            scopes = target.DefaultScopes;
            key = target.DefaultCacheKey;
        }
        else
        {
            if (!requested.IsSubsetOf(target.AllowedScopes))
            {
                return Fail(
                    TokenErrorKind.ScopeNotAllowed,
                    $"Connection '{target.Name}' does not allow the scope(s): {string.Join(' ', requested.Except(target.AllowedScopes))}.");
            }

            scopes = requested;
            key = target.CacheKeyFor(scopes);
        }

        if (caller is not null && policy.Evaluate(caller, target, scopes) is { Allowed: false } denied)
        {
            return Fail(TokenErrorKind.CallerNotAllowed, denied.Reason!);
        }

        var now = time.GetUtcNow();
        if (memory.TryGet(key, now, out var entry))
        {
            entry.Touch(now);
            if (now >= entry.StaggeredRefreshAt && entry.TryStartRefresh(now))
            {
                _ = RefreshInBackgroundAsync(target, key, scopes, entry);
            }

            TokenBrokerMetrics.MemoryHit(target);
            audit.Delivered(entry, target, scopes, caller, AuditCodes.MemoryTier);
            return new ValueTask<TokenResult>(TokenResult.Success(entry.Token));
        }

        return new ValueTask<TokenResult>(FetchForCallerAsync(target, key, scopes, caller, cancellationToken));
    }

    /// <summary>Refreshes one entry now (the refresh job, or a secret event with <see cref="FetchMode.Forced"/>).</summary>
    internal Task<FetchResult> RefreshAsync(Connection connection, ScopeSet scopes, FetchMode mode, CancellationToken cancellationToken) =>
        RunFlightAsync(connection, connection.CacheKeyFor(scopes), scopes, mode).WaitAsync(cancellationToken);

    /// <summary>
    /// Fetches new tokens now for every scope set a connection has cached (and its default), ignoring holds: after a
    /// credential changed (a Key Vault event) or on an operator's request.
    /// </summary>
    internal async Task<IReadOnlyList<TokenResult>> ForceRefreshAsync(Connection connection, CancellationToken cancellationToken)
    {
        fetcher.ClearLocalHolds(connection);
        var results = new List<TokenResult>();
        // Scope sets that no longer fit the connection (AllowedScopes narrowed since) are left to age out as idle.
        var cached = await store.CachedScopeSetsAsync(connection.DefaultCacheKey.PartitionKey, cancellationToken);
        foreach (var scopes in cached.Where(s => s.IsSubsetOf(connection.AllowedScopes)).Prepend(connection.DefaultScopes).Distinct())
        {
            results.Add((await RefreshAsync(connection, scopes, FetchMode.Forced, cancellationToken)).Result);
        }

        return results;
    }

    // Registered as itself and, forwarded, as ITokenBroker: the container disposes it once for each.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }
    }

    private async Task<TokenResult> FetchForCallerAsync(Connection connection, TokenCacheKey key, ScopeSet scopes, Caller? caller, CancellationToken cancellationToken)
    {
        var fetched = await RunFlightAsync(connection, key, scopes, FetchMode.Request).WaitAsync(cancellationToken);
        if (fetched.Result.Succeeded)
        {
            AuditFetched(connection, key, scopes, caller, fetched);
        }

        return fetched.Result;
    }

    private void AuditFetched(Connection connection, TokenCacheKey key, ScopeSet scopes, Caller? caller, FetchResult fetched)
    {
        var token = fetched.Result.Token!;
        var tier = fetched.Outcome is FetchOutcome.Fetched or FetchOutcome.SameToken ? AuditCodes.AuthorizationServerTier : AuditCodes.TableTier;

        // Counted on the memory entry holding this token, as later hits will be; a token memory did not keep stands alone.
        if (memory.TryGet(key, time.GetUtcNow(), out var entry) && string.Equals(entry.Token.AccessToken, token.AccessToken, StringComparison.Ordinal))
        {
            audit.Delivered(entry, connection, scopes, caller, tier);
        }
        else
        {
            audit.DeliveredUncached(key, token, connection, scopes, caller, tier);
        }
    }

    private async Task RefreshInBackgroundAsync(Connection connection, TokenCacheKey key, ScopeSet scopes, MemoryEntry entry)
    {
        try
        {
            var refreshed = await RunFlightAsync(connection, key, scopes, FetchMode.Refresh);
            metrics.Refreshed(connection.Name, OutcomeName(refreshed.Outcome));
            if (refreshed.Outcome is FetchOutcome.Failed or FetchOutcome.Held)
            {
                entry.RefreshFailed(time.GetUtcNow() + BackgroundRefreshRetry);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The caller already has its token; a failed background refresh is retried by a later hit or the job.
            metrics.Refreshed(connection.Name, "failed");
            Log.BackgroundRefreshFailed(logger, connection.Name, ex.GetType().Name);
            entry.RefreshFailed(time.GetUtcNow() + BackgroundRefreshRetry);
        }
    }

    // One flight per key and mode: a forced fetch (new secret) must not merely join a fetch that may use the old one.
    private Task<FetchResult> RunFlightAsync(Connection connection, TokenCacheKey key, ScopeSet scopes, FetchMode mode) =>
        _flights.RunAsync(
            mode == FetchMode.Forced ? key.Value + "#forced" : key.Value,
            (Service: this, Connection: connection, Key: key, Scopes: scopes, Mode: mode),
            static (state, _) => state.Service.FetchBoundedAsync(state.Connection, state.Key, state.Scopes, state.Mode));

    // Bounded by AcquisitionTimeout and shutdown, never by one caller: the flight serves everyone waiting on it.
    private async Task<FetchResult> FetchBoundedAsync(Connection connection, TokenCacheKey key, ScopeSet scopes, FetchMode mode)
    {
        using var timeout = new CancellationTokenSource(options.Value.AcquisitionTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
        try
        {
            return await fetcher.FetchAsync(connection, key, scopes, mode, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Log.AcquisitionTimedOut(logger, connection.Name, options.Value.AcquisitionTimeout);
            var error = new TokenError(TokenErrorKind.UpstreamUnavailable, "Obtaining a token took too long; try again later.") { RetryAfter = TimeSpan.FromSeconds(5) };
            return new FetchResult(TokenResult.Failure(error), FetchOutcome.Failed);
        }
    }

    internal static string OutcomeName(FetchOutcome outcome) => outcome switch
    {
        FetchOutcome.Fetched => "success",
        FetchOutcome.SameToken => "same_token",
        FetchOutcome.LeasedElsewhere => "leased_elsewhere",
        FetchOutcome.Served => "already_fresh",
        FetchOutcome.Held => "held",
        _ => "failed",
    };

    private static ValueTask<TokenResult> Fail(TokenErrorKind kind, string detail) =>
        new(TokenResult.Failure(kind, detail));

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.AcquisitionTimedOut, Level = LogLevel.Warning, Message = "Obtaining a token for connection {Connection} exceeded {Timeout}")]
        public static partial void AcquisitionTimedOut(ILogger logger, string connection, TimeSpan timeout);

        [LoggerMessage(EventId = EventIds.BackgroundRefreshFailed, Level = LogLevel.Warning, Message = "Background refresh of connection {Connection} failed: {ErrorType}")]
        public static partial void BackgroundRefreshFailed(ILogger logger, string connection, string errorType);
    }
}
