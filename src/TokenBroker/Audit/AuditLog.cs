using Microsoft.Extensions.Logging;
using TokenBroker.Diagnostics;

namespace TokenBroker.Audit;

/// <summary>
/// The audit records as log messages in the <c>TokenBroker.Audit</c> category. The template's property names are the
/// stable names exporters turn into Application Insights <c>customDimensions</c>: change none of them without the runbook's
/// queries and the workbook.
/// </summary>
internal static partial class AuditLog
{
    [LoggerMessage(EventId = EventIds.AuditTokenIssued, Level = LogLevel.Information, Message = "Audit {AuditEvent}: caller {CallerAppId} {CallerObjectId} ({CallerMode}) received token {TokenFingerprint} of connection {Connection} scope '{Scope}' expiring {TokenExpiresOn}, from {CacheTier}, on {Instance} at {At}")]
    public static partial void TokenIssued(ILogger logger, string auditEvent, string callerAppId, string callerObjectId, string callerMode, string tokenFingerprint, string connection, string scope, string tokenExpiresOn, string cacheTier, string instance, string at);

    [LoggerMessage(EventId = EventIds.AuditTokenReleased, Level = LogLevel.Information, Message = "Audit {AuditEvent}: caller {CallerAppId} {CallerObjectId} ({CallerMode}) received token {TokenFingerprint} of connection {Connection} scope '{Scope}' {Deliveries} times since {FirstDeliveredOn}; closed as {Reason} on {Instance} at {At}")]
    public static partial void TokenReleased(ILogger logger, string auditEvent, string callerAppId, string callerObjectId, string callerMode, string tokenFingerprint, string connection, string scope, long deliveries, string firstDeliveredOn, string reason, string instance, string at);

    [LoggerMessage(EventId = EventIds.AuditTokenRefused, Level = LogLevel.Information, Message = "Audit {AuditEvent}: caller {CallerAppId} {CallerObjectId} ({CallerMode}) refused with {Code} for connection {Connection} scope '{Scope}' on {Instance} at {At}")]
    public static partial void TokenRefused(ILogger logger, string auditEvent, string callerAppId, string callerObjectId, string callerMode, string code, string connection, string scope, string instance, string at);

    [LoggerMessage(EventId = EventIds.AuditDenialsSuppressed, Level = LogLevel.Information, Message = "Audit {AuditEvent}: caller {CallerAppId} {CallerObjectId} ({CallerMode}) had {Suppressed} more denials or failures, not recorded one by one, from {WindowStart} to {At} on {Instance}")]
    public static partial void DenialsSuppressed(ILogger logger, string auditEvent, string callerAppId, string callerObjectId, string callerMode, long suppressed, string windowStart, string at, string instance);

    [LoggerMessage(EventId = EventIds.AuditOperatorAction, Level = LogLevel.Information, Message = "Audit {AuditEvent}: operator {CallerAppId} {CallerObjectId} ({CallerMode}, by {Credential}) asked {Action} of connection {Connection}: {Outcome}, on {Instance} at {At}")]
    public static partial void OperatorAction(ILogger logger, string auditEvent, string callerAppId, string callerObjectId, string callerMode, string credential, string action, string connection, string outcome, string instance, string at);

    [LoggerMessage(EventId = EventIds.AuditRecordsDropped, Level = LogLevel.Warning, Message = "Audit {AuditEvent}: {Dropped} audit records were dropped because the queue was full, on {Instance} at {At}")]
    public static partial void RecordsDropped(ILogger logger, string auditEvent, long dropped, string instance, string at);

    [LoggerMessage(EventId = EventIds.AuditWriteFailed, Level = LogLevel.Error, Message = "Audit: writing a {AuditEvent} record failed: {ErrorType}")]
    public static partial void WriteFailed(ILogger logger, string auditEvent, string errorType);
}
