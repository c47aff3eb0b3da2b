namespace TokenBroker.Client;

/// <summary>
/// Gets downstream access tokens from the broker, for code that does not call the downstream API through an
/// <see cref="HttpClient"/> set up with <c>AddBrokeredToken</c> (a gRPC channel, an SDK client, a message header).
/// </summary>
/// <remarks>
/// Tokens are cached in memory per connection and scope until shortly before they expire, and concurrent callers asking for
/// the same token share one broker call. Register it with <c>services.AddTokenBrokerClient(...)</c>.
/// </remarks>
public interface IBrokeredTokenProvider
{
    /// <summary>A token for <paramref name="connection"/>, from the cache when one is still fresh, otherwise from the broker.</summary>
    /// <param name="connection">The connection's name, as configured in the broker.</param>
    /// <param name="scope">Space-separated scopes, a subset of the connection's allowed scopes; <see langword="null"/> for the connection's default scopes.</param>
    /// <param name="cancellationToken">Stops this caller's wait. A broker call shared with other callers goes on for them.</param>
    /// <returns>The token.</returns>
    /// <exception cref="TokenBrokerException">The broker refused the request, could not be reached, or the caller's own token could not be obtained.</exception>
    ValueTask<BrokeredToken> GetTokenAsync(string connection, string? scope = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A token for <paramref name="connection"/> straight from the broker, skipping this process's cache, which it then
    /// replaces. Use it when a downstream API refused the token it was given.
    /// </summary>
    /// <param name="connection">The connection's name, as configured in the broker.</param>
    /// <param name="scope">Space-separated scopes; <see langword="null"/> for the connection's default scopes.</param>
    /// <param name="cancellationToken">Stops this caller's wait. A broker call shared with other callers goes on for them.</param>
    /// <returns>The token.</returns>
    /// <exception cref="TokenBrokerException">The broker refused the request, could not be reached, or the caller's own token could not be obtained.</exception>
    /// <remarks>
    /// The broker keeps its own cache, so the token that comes back may be the same one: the broker issues a new token only once
    /// its copy nears expiry.
    /// </remarks>
    ValueTask<BrokeredToken> RefreshTokenAsync(string connection, string? scope = null, CancellationToken cancellationToken = default);
}
