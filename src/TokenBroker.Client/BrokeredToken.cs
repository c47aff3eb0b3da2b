using System.Globalization;

namespace TokenBroker.Client;

/// <summary>An access token handed out by the broker, for one connection and scope.</summary>
/// <remarks>The token is a credential: <see cref="ToString"/> leaves it out, and so must any log line you write.</remarks>
public sealed class BrokeredToken
{
    /// <summary>Creates a token, for example to stand in for <see cref="IBrokeredTokenProvider"/> in a test.</summary>
    /// <param name="accessToken">The access token.</param>
    /// <param name="tokenType">The token type, <c>Bearer</c>.</param>
    /// <param name="expiresOn">When the token expires.</param>
    /// <param name="scope">The scopes the token was granted, space-separated.</param>
    public BrokeredToken(string accessToken, string tokenType, DateTimeOffset expiresOn, string? scope)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        ArgumentException.ThrowIfNullOrEmpty(tokenType);
        AccessToken = accessToken;
        TokenType = tokenType;
        ExpiresOn = expiresOn;
        Scope = scope;
    }

    /// <summary>The access token, to send as <c>Authorization: Bearer</c>.</summary>
    public string AccessToken { get; }

    /// <summary>The token type the broker named; <c>Bearer</c>.</summary>
    public string TokenType { get; }

    /// <summary>
    /// When the token expires, by this process's clock: the moment the request to the broker started plus the broker's
    /// <c>expires_in</c>, so a clock that differs from the broker's does not stretch the token's life.
    /// </summary>
    public DateTimeOffset ExpiresOn { get; }

    /// <summary>The scopes the token was granted, space-separated, as the broker reported them.</summary>
    public string? Scope { get; }

    /// <summary>Describes the token without the token itself.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{TokenType} token for scope '{Scope}', expires {ExpiresOn:O}");
}
