namespace TokenBroker.Client.Internal;

/// <summary>
/// What a token is cached under: the connection, compared without regard to case as the broker compares it, and the scopes
/// normalized as the broker normalizes them (distinct, sorted, single spaces), so "b a" and "a  b" share one token.
/// </summary>
/// <remarks>
/// The hash is computed once, when the key is made: a handler makes its key once and looks it up on every request, so a
/// lookup with a scope costs what one without costs (hashing "api.read" on each request was most of the difference).
/// </remarks>
internal readonly record struct TokenKey
{
    private readonly int _hash;

    private TokenKey(string connection, string scope)
    {
        Connection = connection;
        Scope = scope;
        _hash = HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(connection), StringComparer.Ordinal.GetHashCode(scope));
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

    public override int GetHashCode() => _hash;

    // Only spaces separate scopes (RFC 6749 §3.3); anything else is left for the broker to refuse with invalid_scope.
    private static string Normalize(string? scope) => string.IsNullOrWhiteSpace(scope)
        ? string.Empty
        : IsNormalized(scope)
            ? scope
            : string.Join(' ', scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    // A scope already in normal form (what a handler passes on every request, usually) is kept as it is: a cache hit then
    // allocates nothing. Normal form: single spaces between scopes, none around them, each scope ordinally after the last.
    private static bool IsNormalized(string scope)
    {
        var rest = scope.AsSpan();
        var previous = ReadOnlySpan<char>.Empty;
        while (true)
        {
            var space = rest.IndexOf(' ');
            var current = space < 0 ? rest : rest[..space];
            if (current.IsEmpty || (!previous.IsEmpty && previous.SequenceCompareTo(current) >= 0))
            {
                return false;
            }

            if (space < 0)
            {
                return true;
            }

            previous = current;
            rest = rest[(space + 1)..];
        }
    }
}
