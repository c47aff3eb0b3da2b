namespace TokenBroker;

/// <summary>Hands out access tokens for named connections.</summary>
public interface ITokenBroker
{
    /// <summary>
    /// A token for <paramref name="connection"/> with the connection's default scopes, or with <paramref name="scope"/>
    /// (a space-separated subset of the connection's allowed scopes) when given.
    /// </summary>
    ValueTask<TokenResult> GetTokenAsync(string connection, string? scope, CancellationToken cancellationToken);
}
