namespace TokenBroker.Caching;

/// <summary>The clear-text facts stored beside an encrypted token: enough to decide about it without decrypting it.</summary>
internal sealed record TokenMetadata(string TokenType, string Scope, DateTimeOffset AcquiredOn, DateTimeOffset ExpiresOn, string SecretVersion)
{
    public CachedToken WithToken(string accessToken) => new(accessToken, TokenType, Scope, AcquiredOn, ExpiresOn, SecretVersion);
}
