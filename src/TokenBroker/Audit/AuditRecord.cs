using TokenBroker.Access;

namespace TokenBroker.Audit;

/// <summary>
/// One audit record on its way to the writer. A struct in a bounded channel: queuing allocates nothing per record, and the
/// redaction and formatting happen on the writer, off the request path.
/// </summary>
internal readonly record struct AuditRecord(
    AuditEvent Event,
    DateTimeOffset On,
    Caller? Caller,
    string? Connection,
    string? Scope,
    string? Code,
    TokenHolders? Holders = null,
    TokenHolder? Holder = null,
    long Count = 0,
    string? Credential = null,
    DateTimeOffset? Since = null);
