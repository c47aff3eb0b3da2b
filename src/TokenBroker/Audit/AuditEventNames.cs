namespace TokenBroker.Audit;

/// <summary>The <c>AuditEvent</c> property of each record: stable names for queries (KQL) and workbooks.</summary>
internal static class AuditEventNames
{
    /// <summary>The log category of every audit record.</summary>
    public const string Category = "TokenBroker.Audit";

    /// <summary>A caller received a token for the first time.</summary>
    public const string TokenIssued = "token_issued";

    /// <summary>How many times a caller received a token, once the token is replaced, expires or the instance stops.</summary>
    public const string TokenReleased = "token_released";

    /// <summary>A request refused for who asked or what it asked.</summary>
    public const string TokenDenied = "token_denied";

    /// <summary>A request that failed upstream.</summary>
    public const string TokenFailed = "token_failed";

    /// <summary>Denials and failures of one caller beyond the per-window limit, summed.</summary>
    public const string DenialsSuppressed = "denials_suppressed";

    /// <summary>An operator's refresh or eviction.</summary>
    public const string OperatorAction = "operator_action";

    /// <summary>Records lost to a full queue, counted.</summary>
    public const string RecordsDropped = "records_dropped";
}
