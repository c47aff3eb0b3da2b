using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Acquisition;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;
using TokenBroker.Secrets;

namespace TokenBroker;

/// <summary>
/// The request path: memory tier, then (once per key and instance) the shared Table tier, then the authorization server.
/// A memory hit is synchronous and allocates nothing; everything slower runs in a single flight per cache key.
/// </summary>
internal sealed partial class TokenBrokerService(
    ConnectionRegistry connections,
    MemoryTokenCache memory,
    TableTokenStore store,
    ISecretSource secrets,
    ClientCredentialsClient client,
    TimeProvider time,
    IOptions<TokenBrokerOptions> options,
    TokenBrokerMetrics metrics,
    ILogger<TokenBrokerService> logger) : ITokenBroker, IDisposable
{
    private static readonly TimeSpan SecretRetryAfter = TimeSpan.FromSeconds(30);

    private readonly SingleFlight<string, TokenResult> _acquisitions = new();
    private readonly CancellationTokenSource _stopping = new();

    public ValueTask<TokenResult> GetTokenAsync(string connection, string? scope, CancellationToken cancellationToken)
    {
        if (!ConnectionName.IsValid(connection))
        {
            return Fail(TokenErrorKind.InvalidConnectionName, $"A connection name is {ConnectionName.Rule}.");
        }

        if (!connections.TryGet(connection, out var target))
        {
            return Fail(TokenErrorKind.ConnectionNotFound, $"No connection named '{connection}' is configured.");
        }

        ScopeSet scopes;
        TokenCacheKey key;
        if (string.IsNullOrWhiteSpace(scope))
        {
            scopes = target.DefaultScopes;
            key = target.DefaultCacheKey;
        }
        else
        {
            if (!ScopeSet.TryParse(scope, out scopes, out var error))
            {
                return Fail(TokenErrorKind.InvalidScope, error!);
            }

            if (!scopes.IsSubsetOf(target.AllowedScopes))
            {
                return Fail(
                    TokenErrorKind.ScopeNotAllowed,
                    $"Connection '{target.Name}' does not allow the scope(s): {string.Join(' ', scopes.Except(target.AllowedScopes))}.");
            }

            key = target.CacheKeyFor(scopes);
        }

        var now = time.GetUtcNow();
        if (memory.TryGet(key, now, out var token))
        {
            metrics.CacheHit(target.Name, "memory");
            metrics.TokenServed(target.Name, (token.ExpiresOn - now).TotalSeconds);
            return new ValueTask<TokenResult>(TokenResult.Success(token));
        }

        return new ValueTask<TokenResult>(AcquireAsync(target, key, scopes, cancellationToken));
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task<TokenResult> AcquireAsync(Connection connection, TokenCacheKey key, ScopeSet scopes, CancellationToken cancellationToken)
    {
        var flight = _acquisitions.RunAsync(
            key.Value,
            (Broker: this, Connection: connection, Key: key, Scopes: scopes),
            static (state, _) => state.Broker.AcquireSharedAsync(state.Connection, state.Key, state.Scopes));
        var result = await flight.WaitAsync(cancellationToken);
        if (result.Succeeded)
        {
            metrics.TokenServed(connection.Name, (result.Token.ExpiresOn - time.GetUtcNow()).TotalSeconds);
        }

        return result;
    }

    // Runs once per key at a time, on behalf of every caller waiting for it; bounded by AcquisitionTimeout, not by any one caller.
    private async Task<TokenResult> AcquireSharedAsync(Connection connection, TokenCacheKey key, ScopeSet scopes)
    {
        using var timeout = new CancellationTokenSource(options.Value.AcquisitionTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
        var cancellationToken = linked.Token;
        try
        {
            if (memory.TryGet(key, time.GetUtcNow(), out var fresh))
            {
                return TokenResult.Success(fresh);
            }

            var stored = await store.TryGetAsync(connection, key, cancellationToken);
            if (stored is not null && memory.IsServable(stored, time.GetUtcNow()))
            {
                memory.Set(key, stored);
                metrics.CacheHit(connection.Name, "table");
                return TokenResult.Success(stored);
            }

            metrics.CacheMiss(connection.Name);
            ClientSecret secret;
            try
            {
                secret = await secrets.GetSecretAsync(connection.SecretName, cancellationToken);
            }
            catch (SecretUnavailableException ex)
            {
                Log.SecretUnavailable(logger, connection.Name, connection.SecretName, ex.Reason);
                return TokenResult.Failure(new TokenError(TokenErrorKind.SecretUnavailable, $"The client secret of connection '{connection.Name}' cannot be read.")
                {
                    RetryAfter = SecretRetryAfter,
                });
            }

            var acquired = await client.RequestTokenAsync(connection, secret, scopes, cancellationToken);
            if (acquired.Error is not null)
            {
                return TokenResult.Failure(acquired.Error);
            }

            var token = acquired.Token!;
            Log.TokenAcquired(logger, connection.Name, scopes.Value, token.ExpiresOn, secret.Version);
            if (acquired.Cacheable)
            {
                memory.Set(key, token);
                await store.TrySetAsync(connection, key, token, cancellationToken);
            }

            return TokenResult.Success(token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Log.AcquisitionTimedOut(logger, connection.Name, options.Value.AcquisitionTimeout);
            return TokenResult.Failure(new TokenError(TokenErrorKind.UpstreamUnavailable, "Obtaining a token took too long; try again later.")
            {
                RetryAfter = TimeSpan.FromSeconds(5),
            });
        }
    }

    private static ValueTask<TokenResult> Fail(TokenErrorKind kind, string detail) =>
        new(TokenResult.Failure(kind, detail));

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Acquired a token for connection {Connection} (scope '{Scope}') expiring {ExpiresOn:O} with secret version {SecretVersion}")]
        public static partial void TokenAcquired(ILogger logger, string connection, string scope, DateTimeOffset expiresOn, string secretVersion);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Secret {SecretName} of connection {Connection} is unavailable: {Reason}")]
        public static partial void SecretUnavailable(ILogger logger, string connection, string secretName, string reason);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Obtaining a token for connection {Connection} exceeded {Timeout}")]
        public static partial void AcquisitionTimedOut(ILogger logger, string connection, TimeSpan timeout);
    }
}
