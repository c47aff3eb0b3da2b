namespace TokenBroker.Audit;

/// <summary>The <c>Code</c> values of the audit records that the core's <see cref="TokenErrorKind"/> does not name.</summary>
internal static class AuditCodes
{
    /// <summary>No credentials, or credentials the broker could not verify (401).</summary>
    public const string Unauthenticated = "unauthenticated";

    /// <summary>The tiers a token is delivered from.</summary>
    public const string MemoryTier = "memory";

    public const string TableTier = "table";

    public const string AuthorizationServerTier = "authorization_server";

    /// <summary>
    /// The stable code of a core failure: the same words as the problem document's <c>code</c>, so an audit record and
    /// the caller's response can be matched.
    /// </summary>
    public static string For(TokenErrorKind kind) => kind switch
    {
        TokenErrorKind.InvalidConnectionName => "invalid_connection_name",
        TokenErrorKind.ConnectionNotFound => "connection_not_found",
        TokenErrorKind.InvalidScope => "invalid_scope",
        TokenErrorKind.ScopeNotAllowed => "scope_not_allowed",
        TokenErrorKind.CallerNotAllowed => "caller_not_allowed",
        TokenErrorKind.UpstreamRejected => "upstream_rejected",
        TokenErrorKind.UpstreamInvalidResponse => "upstream_invalid_response",
        TokenErrorKind.UpstreamUnavailable => "upstream_unavailable",
        TokenErrorKind.SecretUnavailable => "secret_unavailable",
        _ => "failed",
    };

    /// <summary>Failures of what the broker depends on, as opposed to refusals of what the caller asked.</summary>
    public static bool IsUpstream(TokenErrorKind kind) =>
        kind is TokenErrorKind.UpstreamRejected or TokenErrorKind.UpstreamInvalidResponse or TokenErrorKind.UpstreamUnavailable or TokenErrorKind.SecretUnavailable;
}
