namespace TokenBroker;

/// <summary>Hands out access tokens for named connections.</summary>
public interface ITokenBroker
{
    /// <summary>
    /// A token for <paramref name="connection"/> with the connection's default scopes, or with <paramref name="scope"/>
    /// (a space-separated subset of the connection's allowed scopes) when given.
    /// </summary>
    /// <remarks>No access policy applies: for code inside the broker's own trust boundary.</remarks>
    ValueTask<TokenResult> GetTokenAsync(string connection, string? scope, CancellationToken cancellationToken);

    /// <summary>As <see cref="GetTokenAsync(string, string?, CancellationToken)"/>, for <paramref name="caller"/> under the access policy.</summary>
    ValueTask<TokenResult> GetTokenAsync(string connection, string? scope, Access.Caller caller, CancellationToken cancellationToken);
}
