using System.Collections.Immutable;

namespace TokenBroker.Connections;

/// <summary>
/// A normalized set of OAuth scopes: distinct, ordinally sorted, joined by single spaces.
/// "b a a" and "a  b" are the same set, so they share one cache entry and one fingerprint.
/// </summary>
internal sealed class ScopeSet : IEquatable<ScopeSet>
{
    /// <summary>At most this many scopes in one request.</summary>
    public const int MaxCount = 32;

    /// <summary>At most this many characters in one scope.</summary>
    public const int MaxScopeLength = 256;

    /// <summary>At most this many characters in a whole scope string.</summary>
    public const int MaxLength = 2048;

    private ScopeSet(ImmutableArray<string> items)
    {
        Items = items;
        Value = string.Join(' ', items);
    }

    /// <summary>The empty set: the authorization server applies its own default.</summary>
    public static ScopeSet Empty { get; } = new([]);

    /// <summary>The scopes in ordinal order.</summary>
    public ImmutableArray<string> Items { get; }

    /// <summary>The normalized scope string, as sent to the authorization server.</summary>
    public string Value { get; }

    /// <summary>Parses a space-delimited scope string (RFC 6749 §3.3), or says why it cannot.</summary>
    public static bool TryParse(string? value, out ScopeSet scopes, out string? error)
    {
        scopes = Empty;
        error = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        if (value.Length > MaxLength)
        {
            error = $"The scope string is longer than {MaxLength} characters.";
            return false;
        }

        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > MaxCount)
        {
            error = $"At most {MaxCount} scopes may be requested at once.";
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length > MaxScopeLength)
            {
                error = $"A scope is longer than {MaxScopeLength} characters.";
                return false;
            }

            if (!IsScopeToken(part))
            {
                error = "A scope contains a character RFC 6749 §3.3 does not allow (printable ASCII except '\"' and '\\').";
                return false;
            }
        }

        scopes = new ScopeSet([.. parts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
        return true;
    }

    /// <summary>Parses a scope string that is known to be valid, such as one checked by options validation.</summary>
    public static ScopeSet Parse(string? value) =>
        TryParse(value, out var scopes, out var error) ? scopes : throw new FormatException(error);

    /// <summary>True when every scope of this set is in <paramref name="other"/>.</summary>
    public bool IsSubsetOf(ScopeSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var scope in Items)
        {
            if (other.Items.BinarySearch(scope, StringComparer.Ordinal) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The scopes of this set that are not in <paramref name="other"/>.</summary>
    public IEnumerable<string> Except(ScopeSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Items.Where(scope => other.Items.BinarySearch(scope, StringComparer.Ordinal) < 0);
    }

    /// <inheritdoc />
    public bool Equals(ScopeSet? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ScopeSet);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;

    // scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    private static bool IsScopeToken(string scope)
    {
        foreach (var c in scope)
        {
            if (c < 0x21 || c > 0x7E || c == '"' || c == '\\')
            {
                return false;
            }
        }

        return true;
    }
}
