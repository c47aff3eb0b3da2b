namespace TokenBroker.Client.Internal;

/// <summary>
/// What a token is cached under: the connection, compared without regard to case as the broker compares it, and the scopes
/// normalized as the broker normalizes them (distinct, sorted, single spaces), so "b a" and "a  b" share one token.
/// </summary>
internal readonly record struct TokenKey
{
    private TokenKey(string connection, string scope)
    {
        Connection = connection;
        Scope = scope;
    }

    /// <summary>The connection name as the caller wrote it.</summary>
    public string Connection { get; }

    /// <summary>The normalized scope string; empty for the connection's default scopes.</summary>
    public string Scope { get; }

    public static TokenKey Create(string connection, string? scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        return new TokenKey(connection, Normalize(scope));
    }

    public bool Equals(TokenKey other) =>
        string.Equals(Connection, other.Connection, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Scope, other.Scope, StringComparison.Ordinal);

    public override int GetHashCode() =>
        HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(Connection), StringComparer.Ordinal.GetHashCode(Scope));

    // Only spaces separate scopes (RFC 6749 §3.3); anything else is left for the broker to refuse with invalid_scope.
    private static string Normalize(string? scope) => string.IsNullOrWhiteSpace(scope)
        ? string.Empty
        : string.Join(' ', scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}
