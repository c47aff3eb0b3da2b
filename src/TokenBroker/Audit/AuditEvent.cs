namespace TokenBroker.Audit;

/// <summary>The kinds of audit record. Their names (<see cref="AuditEventNames"/>) are the stable <c>AuditEvent</c> values.</summary>
internal enum AuditEvent
{
    /// <summary>A caller received a token for the first time.</summary>
    TokenIssued,

    /// <summary>A caller's deliveries of a token, counted, closed when the token is replaced, expires or the instance stops.</summary>
    TokenReleased,

    /// <summary>A request refused for who asked or what it asked (401, 403, 400, 404).</summary>
    TokenDenied,

    /// <summary>A request that failed upstream (authorization server, Key Vault).</summary>
    TokenFailed,

    /// <summary>The denials and failures of one caller beyond the per-window limit, summed.</summary>
    DenialsSuppressed,

    /// <summary>An operator refreshed or evicted a connection.</summary>
    OperatorAction,

    /// <summary>Records lost because the queue was full, counted.</summary>
    RecordsDropped,
}
