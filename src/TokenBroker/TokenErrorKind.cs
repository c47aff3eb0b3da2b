namespace TokenBroker;

/// <summary>Why the broker could not hand out a token. Each kind maps to one HTTP status and one stable error code.</summary>
public enum TokenErrorKind
{
    /// <summary>The connection name breaks the naming rule.</summary>
    InvalidConnectionName,

    /// <summary>No connection has that name.</summary>
    ConnectionNotFound,

    /// <summary>The requested scope string is malformed.</summary>
    InvalidScope,

    /// <summary>A requested scope is not among the connection's allowed scopes.</summary>
    ScopeNotAllowed,

    /// <summary>The access policy does not grant the caller this connection (or these scopes).</summary>
    CallerNotAllowed,

    /// <summary>The authorization server refused the request (an OAuth error such as invalid_client).</summary>
    UpstreamRejected,

    /// <summary>The authorization server answered with something that is not a usable token.</summary>
    UpstreamInvalidResponse,

    /// <summary>The authorization server could not be reached, timed out, or asked us to back off.</summary>
    UpstreamUnavailable,

    /// <summary>The client secret could not be read.</summary>
    SecretUnavailable,
}
