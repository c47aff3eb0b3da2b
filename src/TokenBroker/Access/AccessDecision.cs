namespace TokenBroker.Access;

/// <summary>What the access policy decided for one request.</summary>
/// <param name="Allowed">Whether the caller may have the token.</param>
/// <param name="Reason">Why not, as a sentence safe to return to the caller.</param>
internal readonly record struct AccessDecision(bool Allowed, string? Reason)
{
    internal static AccessDecision Allow { get; } = new(true, null);
}
