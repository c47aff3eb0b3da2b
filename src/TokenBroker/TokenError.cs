namespace TokenBroker;

/// <summary>An expected failure to obtain a token. Its text never contains a token or a secret.</summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Detail">A sentence for the caller.</param>
public sealed record TokenError(TokenErrorKind Kind, string Detail)
{
    /// <summary>The OAuth <c>error</c> code the authorization server returned, when it returned one.</summary>
    public string? UpstreamError { get; init; }

    /// <summary>When the caller should try again, for transient failures.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
