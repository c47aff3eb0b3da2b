using System.Buffers;
using System.Globalization;

namespace TokenBroker.Client;

/// <summary>An access token handed out by the broker, for one connection and scope.</summary>
/// <remarks>The token is a credential: <see cref="ToString"/> leaves it out, and so must any log line you write.</remarks>
public sealed class BrokeredToken
{
    // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    private static readonly SearchValues<char> B64TokenCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

    private string? _authorizationHeaderValue;

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

    /// <summary>
    /// <c>Bearer {token}</c>, made on first use and shared by every request that carries this token; <see langword="null"/>
    /// when the token is not an RFC 6750 §2.1 <c>b64token</c>, which then goes through the header parser on each request.
    /// Only a b64token is safe to add without validation: it holds no space, control character or line break.
    /// </summary>
    internal string? AuthorizationHeaderValue
    {
        get
        {
            // Racing threads compute the same string: whichever lands is as good as the other.
            var value = _authorizationHeaderValue ??= IsB64Token(AccessToken) ? "Bearer " + AccessToken : string.Empty;
            return value.Length == 0 ? null : value;
        }
    }

    /// <summary>Describes the token without the token itself.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{TokenType} token for scope '{Scope}', expires {ExpiresOn:O}");

    private static bool IsB64Token(string token)
    {
        var body = token.AsSpan().TrimEnd('=');
        return !body.IsEmpty && !body.ContainsAnyExcept(B64TokenCharacters);
    }
}
