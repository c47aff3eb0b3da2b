namespace TokenBroker.Functions.Http;

/// <summary>The answer of a forced refresh: per scope set, whether a new token was obtained. Never the token.</summary>
/// <param name="Connection">The connection.</param>
/// <param name="Results">One per scope set.</param>
internal sealed record RefreshResultBody(string Connection, IReadOnlyList<RefreshResultItem> Results);

/// <summary>One scope set's refresh.</summary>
/// <param name="Scope">The granted scopes, or the error's detail.</param>
/// <param name="Succeeded">Whether a token was obtained.</param>
/// <param name="ExpiresOn">The new token's expiry.</param>
/// <param name="SecretVersion">The secret version used.</param>
/// <param name="Error">The stable error code on failure.</param>
internal sealed record RefreshResultItem(string Scope, bool Succeeded, DateTimeOffset? ExpiresOn, string? SecretVersion, string? Error);
