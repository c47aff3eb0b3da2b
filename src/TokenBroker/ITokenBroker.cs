using TokenBroker.Access;

namespace TokenBroker;

/// <summary>Hands out access tokens for named connections, to callers under the access policy.</summary>
public interface ITokenBroker
{
    /// <summary>
    /// A token for <paramref name="connection"/> with the connection's default scopes, or with <paramref name="scope"/>
    /// (a space-separated subset of the connection's allowed scopes) when given, if the access policy grants
    /// <paramref name="caller"/> the connection and those scopes.
    /// </summary>
    /// <returns>The token, or the error the caller should see: expected failures are results, never exceptions.</returns>
    ValueTask<TokenResult> GetTokenAsync(string connection, string? scope, Caller caller, CancellationToken cancellationToken);
}
