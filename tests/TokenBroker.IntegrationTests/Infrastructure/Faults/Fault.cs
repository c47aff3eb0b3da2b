namespace TokenBroker.IntegrationTests.Infrastructure.Faults;

/// <summary>What a dependency does wrong, as a client meets it on the network.</summary>
public enum FaultKind
{
    /// <summary>Nothing listens: every connection attempt is refused.</summary>
    Refused,

    /// <summary>The connection is accepted, the request read, and no answer ever comes.</summary>
    NeverAnswers,

    /// <summary>The normal answer, after a delay.</summary>
    Slow,

    /// <summary>An error status (5xx, 429, 403 …), with <c>Retry-After</c> when given.</summary>
    Status,

    /// <summary>A 200 whose body stops half way: the connection is cut before <c>Content-Length</c> bytes arrive.</summary>
    TruncatedBody,

    /// <summary>A 200 with a JSON content type and a body that is not JSON.</summary>
    MalformedBody,

    /// <summary>The TLS handshake presents a certificate nobody trusts.</summary>
    UntrustedCertificate,

    /// <summary>A 200 with an HTML page, as from a proxy's sign-in or error page in front of the dependency.</summary>
    HtmlBody,
}

/// <summary>One fault a <see cref="FaultServer"/> applies to every request until it is cleared.</summary>
public sealed record Fault(FaultKind Kind, int StatusCode = 0, string? RetryAfter = null, TimeSpan Delay = default)
{
    public static Fault Refused { get; } = new(FaultKind.Refused);

    public static Fault NeverAnswers { get; } = new(FaultKind.NeverAnswers);

    public static Fault TruncatedBody { get; } = new(FaultKind.TruncatedBody);

    public static Fault MalformedBody { get; } = new(FaultKind.MalformedBody);

    public static Fault UntrustedCertificate { get; } = new(FaultKind.UntrustedCertificate);

    public static Fault HtmlBody { get; } = new(FaultKind.HtmlBody);

    public static Fault Slow(TimeSpan delay) => new(FaultKind.Slow, Delay: delay);

    /// <summary>An error status; <paramref name="retryAfter"/> is the raw header value (delta-seconds or an HTTP-date).</summary>
    public static Fault Status(int statusCode, string? retryAfter = null) => new(FaultKind.Status, statusCode, retryAfter);

    /// <summary>The usual matrix of network faults, for theories over dependencies.</summary>
    public static IReadOnlyDictionary<string, Fault> Matrix { get; } = new Dictionary<string, Fault>
    {
        ["refused"] = Refused,
        ["never_answers"] = NeverAnswers,
        ["slow"] = Slow(TimeSpan.FromSeconds(30)),
        ["status_500"] = Status(500),
        ["status_503_retry_after"] = Status(503, "1"),
        ["status_429_retry_after"] = Status(429, "1"),
        ["truncated_body"] = TruncatedBody,
        ["malformed_body"] = MalformedBody,
        ["tls_failure"] = UntrustedCertificate,
        ["status_403"] = Status(403),
    };

    public override string ToString() => Kind switch
    {
        FaultKind.Status => $"status {StatusCode}" + (RetryAfter is null ? string.Empty : $" Retry-After {RetryAfter}"),
        FaultKind.Slow => $"slow {Delay}",
        _ => Kind.ToString(),
    };
}
