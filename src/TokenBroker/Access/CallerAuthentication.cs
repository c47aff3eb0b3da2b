namespace TokenBroker.Access;

/// <summary>The outcome of identifying a caller: a caller, or why there is none (for <c>WWW-Authenticate</c>).</summary>
/// <param name="Caller">The caller, on success.</param>
/// <param name="Error">The RFC 6750 error code (<c>invalid_request</c> or <c>invalid_token</c>); null when no credentials were sent.</param>
/// <param name="Description">Why, in a sentence safe to return: it never echoes the token.</param>
public sealed record CallerAuthentication(Caller? Caller, string? Error, string Description)
{
    /// <summary>True when a caller was identified.</summary>
    public bool Succeeded => Caller is not null;

    internal static CallerAuthentication Success(Caller caller) => new(caller, null, string.Empty);

    internal static CallerAuthentication Missing(string description) => new(null, null, description);

    internal static CallerAuthentication Invalid(string description) => new(null, "invalid_token", description);
}
