namespace TokenBroker.Connections;

/// <summary>
/// The rule for connection names. Names travel in URLs, Table Storage partition keys and metric tags,
/// so they are limited to letters, digits, '-' and '_' and are compared case-insensitively.
/// </summary>
internal static class ConnectionName
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 64;

    /// <summary>A human-readable statement of the rule, for error messages.</summary>
    public const string Rule = "1 to 64 characters: ASCII letters, digits, '-' or '_', starting with a letter or digit";

    /// <summary>True when <paramref name="name"/> follows the rule.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// What a caller is told when <paramref name="name"/> names no configured connection. A name that breaks the rule is
    /// never echoed: the message states the rule instead.
    /// </summary>
    public static string NotFoundMessage(string? name) =>
        IsValid(name) ? $"No connection named '{name}' is configured." : $"A connection name is {Rule}.";
}
