namespace TokenBroker.Client;

/// <summary>
/// The broker did not hand out a token: it answered with a problem document (RFC 9457), could not be reached, or this
/// caller's own token for the broker could not be obtained. The message and properties never contain a token.
/// </summary>
/// <remarks>
/// The library does not retry a refusal, transient or not, beyond one retry of a connection that could not be opened.
/// To retry transient failures (<see cref="IsTransient"/>, honouring <see cref="RetryAfter"/>), add a resilience handler to the
/// broker's <see cref="HttpClient"/> (the builder <c>AddTokenBrokerClient</c> returns) or around your own call.
/// </remarks>
public sealed class TokenBrokerException : Exception
{
    /// <summary>Creates an exception with a default message.</summary>
    public TokenBrokerException()
        : base("The token broker did not hand out a token.")
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong; must not contain a token.</param>
    public TokenBrokerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">What went wrong; must not contain a token.</param>
    /// <param name="innerException">The cause.</param>
    public TokenBrokerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The connection the token was asked for.</summary>
    public string? Connection { get; init; }

    /// <summary>The HTTP status of the broker's answer; <see langword="null"/> when no answer came (see <see cref="Exception.InnerException"/>).</summary>
    public int? Status { get; init; }

    /// <summary>
    /// The problem's stable <c>code</c>, such as <c>connection_not_found</c> or <c>upstream_unavailable</c>; branch on this.
    /// <see langword="null"/> when the answer was no problem document, such as an empty 401 from Azure's front end.
    /// </summary>
    public string? Code { get; init; }

    /// <summary>The problem's <c>title</c>: a short summary that is the same for every occurrence of <see cref="Code"/>.</summary>
    public string? Title { get; init; }

    /// <summary>The problem's <c>detail</c>: what happened this time.</summary>
    public string? Detail { get; init; }

    /// <summary>For <c>upstream_rejected</c>, the authorization server's OAuth error code, such as <c>invalid_client</c>.</summary>
    public string? UpstreamError { get; init; }

    /// <summary>How long the broker asked callers to wait before trying again (the <c>Retry-After</c> header).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The broker's trace id for the failed request, to quote when asking its operators.</summary>
    public string? TraceId { get; init; }

    /// <summary>
    /// True when the same request may succeed later: HTTP 408, 429, 503 or 504, or no answer at all because the connection
    /// failed or timed out. False for refusals that only a change of configuration or code fixes.
    /// </summary>
    public bool IsTransient => Status switch
    {
        null => InnerException is HttpRequestException or TimeoutException,
        408 or 429 or 503 or 504 => true,
        _ => false,
    };
}
