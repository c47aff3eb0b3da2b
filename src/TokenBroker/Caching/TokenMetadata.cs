namespace TokenBroker.Caching;

/// <summary>
/// The clear-text facts stored beside an encrypted token, for operators and the refresh job. Not authenticated: serving
/// uses the copies sealed with the token (see <see cref="SealedContent"/>).
/// </summary>
internal sealed record TokenMetadata(string TokenType, string Scope, DateTimeOffset AcquiredOn, DateTimeOffset ExpiresOn, string SecretVersion);
