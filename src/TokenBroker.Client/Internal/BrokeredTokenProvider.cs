using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenBroker.Client.Internal;

/// <summary>
/// The memory cache in front of the broker. A fresh token is served without a lock or an allocation; a miss joins the one
/// broker call running for that token, or starts it.
/// </summary>
internal sealed class BrokeredTokenProvider(
    BrokerHttpClient broker,
    TimeProvider time,
    IOptions<TokenBrokerClientOptions> options,
    ILogger<BrokeredTokenProvider> logger) : IBrokeredTokenProvider, IDisposable
{
    private readonly ConcurrentDictionary<TokenKey, CachedToken> _cache = new();
    private readonly Dictionary<TokenKey, TokenFlight> _flights = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();

    public ValueTask<BrokeredToken> GetTokenAsync(string connection, string? scope = null, CancellationToken cancellationToken = default) =>
        GetTokenAsync(TokenKey.Create(connection, scope), cancellationToken);

    /// <summary>As <see cref="GetTokenAsync(string, string?, CancellationToken)"/> with a key made once (the handler's): no scope work per call.</summary>
    public ValueTask<BrokeredToken> GetTokenAsync(TokenKey key, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(key, out var cached) && time.GetUtcNow() < cached.RefreshAt)
        {
            return ValueTask.FromResult(cached.Token);
        }

        return new ValueTask<BrokeredToken>(FetchAsync(key, cancellationToken));
    }

    public ValueTask<BrokeredToken> RefreshTokenAsync(string connection, string? scope = null, CancellationToken cancellationToken = default) =>
        RefreshTokenAsync(TokenKey.Create(connection, scope), cancellationToken);

    /// <summary>As <see cref="RefreshTokenAsync(string, string?, CancellationToken)"/> with a key made once.</summary>
    public ValueTask<BrokeredToken> RefreshTokenAsync(TokenKey key, CancellationToken cancellationToken) =>
        // A call already on its way to the broker is as fresh as a new one would be, so a refresh joins it too: N requests
        // refused at once cost one broker call, not N.
        new(FetchAsync(key, cancellationToken));

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task<BrokeredToken> FetchAsync(TokenKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TokenFlight? flight;
        lock (_gate)
        {
            if (!_flights.TryGetValue(key, out flight))
            {
                flight = new TokenFlight(started => RunAsync(key, started));
                _flights.Add(key, flight);
            }

            flight.Waiters++;
        }

        try
        {
            return await flight.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Leave(key, flight);
            throw;
        }
    }

    private void Leave(TokenKey key, TokenFlight flight)
    {
        bool abandon;
        lock (_gate)
        {
            abandon = --flight.Waiters == 0 && !flight.Finished;
            if (abandon)
            {
                // Forget it now, so a caller arriving next starts a call of its own instead of joining one being cancelled.
                _flights.Remove(key);
                flight.Hold();
            }
        }

        if (abandon)
        {
            // Outside the lock: cancellation callbacks run inline and may finish the fetch, which takes the lock.
            flight.Cancel();
            flight.Release();
        }
    }

    private async Task<BrokeredToken> RunAsync(TokenKey key, TokenFlight flight)
    {
        try
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(flight.Abandoned, _stopping.Token);
            var token = await broker.RequestTokenAsync(key, cancel.Token);
            Store(key, token);
            return token;
        }
        finally
        {
            lock (_gate)
            {
                flight.Finished = true;
                if (_flights.TryGetValue(key, out var current) && ReferenceEquals(current, flight))
                {
                    _flights.Remove(key);
                }
            }

            flight.Release();
        }
    }

    private void Store(TokenKey key, BrokeredToken token)
    {
        var received = time.GetUtcNow();
        var lifetime = token.ExpiresOn - received;
        var margin = TimeSpan.FromTicks(Math.Min(options.Value.SafetyMargin.Ticks, lifetime.Ticks / 10));
        var refreshAt = token.ExpiresOn - margin;
        if (refreshAt <= received)
        {
            // Already as good as expired: hand it to the callers that waited for it, but let the next caller ask again.
            _cache.TryRemove(key, out _);
            Log.TokenNotCached(logger, key.Connection, key.Scope, lifetime.TotalSeconds);
            return;
        }

        _cache[key] = new CachedToken(token, refreshAt);
        Log.TokenCached(logger, key.Connection, key.Scope, token.ExpiresOn, refreshAt);
    }
}
