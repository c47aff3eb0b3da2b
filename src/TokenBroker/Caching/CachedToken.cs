namespace TokenBroker.Caching;

/// <summary>
/// An access token as the broker keeps it. <see cref="ToString"/> never shows the token.
/// </summary>
public sealed class CachedToken
{
    /// <summary>Creates a cached token.</summary>
    internal CachedToken(string accessToken, string tokenType, string scope, DateTimeOffset acquiredOn, DateTimeOffset expiresOn, string secretVersion)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        AccessToken = accessToken;
        TokenType = string.IsNullOrEmpty(tokenType) ? "Bearer" : tokenType;
        Scope = scope ?? string.Empty;
        AcquiredOn = acquiredOn;
        ExpiresOn = expiresOn;
        SecretVersion = secretVersion ?? string.Empty;
    }

    /// <summary>The access token itself.</summary>
    public string AccessToken { get; }

    /// <summary>The token type, usually <c>Bearer</c>.</summary>
    public string TokenType { get; }

    /// <summary>The scopes the token was granted (the server's answer, or what was asked when it did not say).</summary>
    public string Scope { get; }

    /// <summary>When the broker received the token.</summary>
    public DateTimeOffset AcquiredOn { get; }

    /// <summary>When the token stops being valid.</summary>
    public DateTimeOffset ExpiresOn { get; }

    /// <summary>The version of the secret that obtained the token, for rotation diagnostics.</summary>
    public string SecretVersion { get; }

    /// <summary>The token's whole lifetime.</summary>
    public TimeSpan Lifetime => ExpiresOn - AcquiredOn;

    /// <summary>Whole seconds left at <paramref name="now"/>, never negative.</summary>
    public long SecondsLeft(DateTimeOffset now) => Math.Max(0, (long)(ExpiresOn - now).TotalSeconds);

    /// <inheritdoc />
    public override string ToString() => $"{TokenType} token expiring {ExpiresOn:O} (scope '{Scope}', secret version '{SecretVersion}')";
}
