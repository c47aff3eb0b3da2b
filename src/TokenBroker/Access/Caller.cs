using System.Collections.Immutable;

namespace TokenBroker.Access;

/// <summary>Who is asking. Identifiers only: never the token it presented.</summary>
/// <param name="Mode">How the caller was identified.</param>
/// <param name="AppId">The calling application's client id, when known.</param>
/// <param name="ObjectId">The calling identity's object id, when known.</param>
/// <param name="Roles">App roles granted to the caller.</param>
public sealed record Caller(CallerMode Mode, string? AppId, string? ObjectId, ImmutableArray<string> Roles)
{
    /// <summary>The caller in local runs without an identity provider.</summary>
    public static Caller Development { get; } = new(CallerMode.Development, null, null, []);

    /// <summary>The caller when only the function key guards the broker.</summary>
    public static Caller FunctionKeyHolder { get; } = new(CallerMode.FunctionKeyOnly, null, null, []);

    /// <summary>A short identifier for logs and decisions.</summary>
    public string Id => AppId ?? ObjectId ?? Mode.ToString().ToLowerInvariant();

    // The audit's pair key, computed once per caller: a cache hit compares it (hash first) and never builds a string.
    internal string AuditKey { get; } = $"{Mode}|{AppId}|{ObjectId}";

    internal int AuditKeyHash { get; } = StringComparer.Ordinal.GetHashCode($"{Mode}|{AppId}|{ObjectId}");

    /// <summary>Whether the caller holds <paramref name="role"/>.</summary>
    public bool HasRole(string role) => Roles.Contains(role, StringComparer.Ordinal);
}
