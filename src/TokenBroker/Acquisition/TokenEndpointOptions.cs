namespace TokenBroker.Acquisition;

/// <summary>How the broker talks to token endpoints, bound from <c>TokenBroker:TokenEndpoint</c>.</summary>
internal sealed class TokenEndpointOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:TokenEndpoint";

    /// <summary>Retries after the first attempt, for 429, 5xx, network errors and timeouts.</summary>
    public int MaxRetryAttempts { get; set; } = 2;

    /// <summary>The base delay before a retry when the server sent no <c>Retry-After</c>. Entra asks for at least 5 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A <c>Retry-After</c> longer than this is not waited out: the caller gets 503 and every instance holds back.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of one attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of a whole token request, retries included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit to one authorization server stays open after it keeps failing.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>Retry-After</c> given to callers when the authorization server is unavailable and named none.</summary>
    public TimeSpan UnavailableRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest <c>Retry-After</c> the broker honours: a longer one is cut to this, both in the hold every instance
    /// respects and in what callers are told. A server (or anything in front of it) can send any number.
    /// </summary>
    public TimeSpan RetryAfterLimit { get; set; } = TimeSpan.FromMinutes(5);
}
