namespace TokenBroker.Operations;

/// <summary>A caller that received a connection's current token on the instance that answered. Never the token.</summary>
/// <param name="Scope">The scopes the caller asked for.</param>
/// <param name="TokenFingerprint">The token's fingerprint, as in the audit records: the first 16 hex digits of its SHA-256.</param>
/// <param name="ExpiresOn">When the token expires.</param>
/// <param name="CallerAppId">The caller's application id, redacted as in the audit records.</param>
/// <param name="CallerObjectId">The caller's object id, redacted as in the audit records.</param>
/// <param name="CallerMode">How the caller was identified: <c>jwt</c>, <c>easy_auth</c>, <c>function_key</c>, <c>development</c>.</param>
/// <param name="FirstDelivered">When this instance first gave it the token.</param>
/// <param name="Deliveries">How many times this instance gave it the token so far.</param>
internal sealed record TokenHolderStatus(
    string Scope,
    string TokenFingerprint,
    DateTimeOffset ExpiresOn,
    string CallerAppId,
    string CallerObjectId,
    string CallerMode,
    DateTimeOffset FirstDelivered,
    long Deliveries);
