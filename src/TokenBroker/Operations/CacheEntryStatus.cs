namespace TokenBroker.Operations;

/// <summary>One cache entry as operators see it.</summary>
/// <param name="Scope">The scopes it was requested with.</param>
/// <param name="ExpiresOn">When its token expires; null while only a lease exists.</param>
/// <param name="LastRefresh">When its token was obtained.</param>
/// <param name="RefreshAt">When it is due for refresh.</param>
/// <param name="LastRequested">When a caller last used it.</param>
/// <param name="SecretVersion">The secret version that obtained the token.</param>
/// <param name="LastError">The last failure's code, if the last fetch failed.</param>
/// <param name="HeldUntil">Until when a shared hold (Retry-After or refused secrets) stops fetches.</param>
internal sealed record CacheEntryStatus(
    string Scope,
    DateTimeOffset? ExpiresOn,
    DateTimeOffset? LastRefresh,
    DateTimeOffset? RefreshAt,
    DateTimeOffset? LastRequested,
    string? SecretVersion,
    string? LastError,
    DateTimeOffset? HeldUntil);
