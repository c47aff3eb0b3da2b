using TokenBroker;

namespace TokenBroker.Functions.Http;

/// <summary>
/// The stable error codes of the HTTP API. Callers branch on <c>code</c>, so a code, once published, never changes meaning.
/// </summary>
internal static class ProblemCode
{
    /// <summary>The request body is not the JSON object the endpoint accepts.</summary>
    public const string MalformedBody = "malformed_body";

    /// <summary>The request body is larger than the endpoint accepts.</summary>
    public const string BodyTooLarge = "body_too_large";

    /// <summary>The request body is not <c>application/json</c>.</summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>The connection name breaks the naming rule.</summary>
    public const string InvalidConnectionName = "invalid_connection_name";

    /// <summary>No connection has the name.</summary>
    public const string ConnectionNotFound = "connection_not_found";

    /// <summary>The scope string is malformed.</summary>
    public const string InvalidScope = "invalid_scope";

    /// <summary>The access policy does not grant the caller the connection or the scopes.</summary>
    public const string CallerNotAllowed = "caller_not_allowed";

    /// <summary>A scope is not allowed for the connection.</summary>
    public const string ScopeNotAllowed = "scope_not_allowed";

    /// <summary>The authorization server refused the request; <c>upstream_error</c> carries its OAuth error code.</summary>
    public const string UpstreamRejected = "upstream_rejected";

    /// <summary>The authorization server's answer is not a usable token.</summary>
    public const string UpstreamInvalidResponse = "upstream_invalid_response";

    /// <summary>The authorization server is unreachable or overloaded; honour <c>Retry-After</c>.</summary>
    public const string UpstreamUnavailable = "upstream_unavailable";

    /// <summary>The connection's client secret cannot be read; honour <c>Retry-After</c>.</summary>
    public const string SecretUnavailable = "secret_unavailable";

    /// <summary>An operator presented the admin key while Key Vault cannot be read to check it; honour <c>Retry-After</c>.</summary>
    public const string AdminKeyUnavailable = "admin_key_unavailable";

    /// <summary>No, a wrong, or an invalid credential: a function key or the caller's token.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>No such route.</summary>
    public const string NotFound = "not_found";

    /// <summary>The route exists but not for this HTTP method.</summary>
    public const string MethodNotAllowed = "method_not_allowed";

    /// <summary>The connection's credential is rotated by hand (its Lifecycle:Rotation is Manual), so the broker does not rotate it.</summary>
    public const string RotationManual = "rotation_manual";

    /// <summary>A rotation of the connection is already under way; the ops listing shows its state.</summary>
    public const string RotationInProgress = "rotation_in_progress";

    /// <summary>The connection's credential is of a kind the broker cannot rotate (a federated credential, none).</summary>
    public const string RotationNotSupported = "rotation_not_supported";

    /// <summary>A certificate connection whose latest Key Vault version is registered at the application already: nothing to register.</summary>
    public const string RotationNothingToDo = "rotation_nothing_to_do";

    /// <summary>Automatic rotation cannot run in this broker (no Key Vault to store a new credential in).</summary>
    public const string RotationUnavailable = "rotation_unavailable";

    /// <summary>A fault in the broker itself. Never expected; always logged.</summary>
    public const string InternalError = "internal_error";

    internal static (int Status, string Code, string Title) For(TokenErrorKind kind) => kind switch
    {
        TokenErrorKind.InvalidConnectionName => (400, InvalidConnectionName, "Invalid connection name"),
        TokenErrorKind.ConnectionNotFound => (404, ConnectionNotFound, "Connection not found"),
        TokenErrorKind.InvalidScope => (400, InvalidScope, "Invalid scope"),
        TokenErrorKind.ScopeNotAllowed => (403, ScopeNotAllowed, "Scope not allowed"),
        TokenErrorKind.CallerNotAllowed => (403, CallerNotAllowed, "Caller not allowed"),
        TokenErrorKind.UpstreamRejected => (502, UpstreamRejected, "Authorization server refused the request"),
        TokenErrorKind.UpstreamInvalidResponse => (502, UpstreamInvalidResponse, "Authorization server returned an unusable response"),
        TokenErrorKind.UpstreamUnavailable => (503, UpstreamUnavailable, "Authorization server unavailable"),
        TokenErrorKind.SecretUnavailable => (503, SecretUnavailable, "Client secret unavailable"),
        _ => (500, InternalError, "Internal error"),
    };
}
