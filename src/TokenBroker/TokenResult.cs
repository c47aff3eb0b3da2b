using System.Diagnostics.CodeAnalysis;
using TokenBroker.Caching;

namespace TokenBroker;

/// <summary>A token or the reason there is none. A struct, so a cache hit allocates nothing.</summary>
public readonly struct TokenResult : IEquatable<TokenResult>
{
    private TokenResult(CachedToken? token, TokenError? error)
    {
        Token = token;
        Error = error;
    }

    /// <summary>The token, when <see cref="Succeeded"/>.</summary>
    public CachedToken? Token { get; }

    /// <summary>The failure, when not <see cref="Succeeded"/>.</summary>
    public TokenError? Error { get; }

    /// <summary>True when there is a token.</summary>
    [MemberNotNullWhen(true, nameof(Token))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Token is not null;

    /// <summary>A successful result.</summary>
    internal static TokenResult Success(CachedToken token) => new(token ?? throw new ArgumentNullException(nameof(token)), null);

    /// <summary>A failed result.</summary>
    internal static TokenResult Failure(TokenError error) => new(null, error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>A failed result.</summary>
    internal static TokenResult Failure(TokenErrorKind kind, string detail) => Failure(new TokenError(kind, detail));

    /// <inheritdoc />
    public bool Equals(TokenResult other) => ReferenceEquals(Token, other.Token) && Equals(Error, other.Error);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TokenResult other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Token, Error);

    /// <summary>Compares two results.</summary>
    public static bool operator ==(TokenResult left, TokenResult right) => left.Equals(right);

    /// <summary>Compares two results.</summary>
    public static bool operator !=(TokenResult left, TokenResult right) => !left.Equals(right);
}
