namespace TokenBroker.Access;

/// <summary>The outcome of identifying a caller: a caller, or why there is none (for <c>WWW-Authenticate</c>).</summary>
/// <param name="Caller">The caller, on success.</param>
/// <param name="Error">The RFC 6750 error code (<c>invalid_request</c> or <c>invalid_token</c>); null when no credentials were sent.</param>
/// <param name="Description">Why, in a sentence safe to return: it never echoes the token.</param>
/// <param name="RetryAfter">
/// Set when the caller could not be checked at all (the authority's signing keys were never fetched): the caller should
/// try again after this long, and is not told that its token is bad.
/// </param>
internal sealed record CallerAuthentication(Caller? Caller, string? Error, string Description, TimeSpan? RetryAfter = null)
{
    /// <summary>True when a caller was identified.</summary>
    public bool Succeeded => Caller is not null;

    internal static CallerAuthentication Success(Caller caller) => new(caller, null, string.Empty);

    internal static CallerAuthentication Missing(string description) => new(null, null, description);

    internal static CallerAuthentication Invalid(string description) => new(null, "invalid_token", description);

    internal static CallerAuthentication Unavailable(string description, TimeSpan retryAfter) => new(null, null, description, retryAfter);
}
