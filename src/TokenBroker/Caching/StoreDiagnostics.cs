using Azure;
using Microsoft.Extensions.Logging;
using TokenBroker.Diagnostics;

namespace TokenBroker.Caching;

/// <summary>
/// How the shared tier reports what goes wrong with Table Storage: logged (category <see cref="TableTokenStore"/>, names and
/// types only, never values) and counted. One place, so the token entries and the eviction generations report alike.
/// </summary>
internal sealed partial class StoreDiagnostics(TokenBrokerMetrics metrics, ILogger<TableTokenStore> logger)
{
    /// <summary>
    /// Whether <paramref name="ex"/> is a storage failure to survive rather than the caller giving up: the table being
    /// down must never fail a caller, so anything but the caller's own cancellation is one.
    /// </summary>
    public static bool IsStorageFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested;

    public void Failed(string operation, string connection, Exception ex)
    {
        metrics.StorageFailed(operation);
        Log.OperationFailed(logger, operation, connection, ex.GetType().Name, ex is RequestFailedException failed ? failed.Status : 0);
    }

    public void Unreadable(string operation, string connection, string rowKey, string problem)
    {
        metrics.UnreadableEntity(operation);
        Log.UnreadableEntity(logger, connection, rowKey, problem);
    }

    public void TokenTooLarge(string connection, int maxBytes) => Log.TokenTooLarge(logger, connection, maxBytes);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.StorageOperationFailed, Level = LogLevel.Warning, Message = "Token cache {Operation} failed for connection {Connection}: {ErrorType} (status {Status}); continuing without the shared tier")]
        public static partial void OperationFailed(ILogger logger, string operation, string connection, string errorType, int status);

        [LoggerMessage(EventId = EventIds.UnreadableEntity, Level = LogLevel.Warning, Message = "Token cache entity {RowKey} of connection {Connection} is unreadable ({Problem}); treated as a miss")]
        public static partial void UnreadableEntity(ILogger logger, string connection, string rowKey, string problem);

        [LoggerMessage(EventId = EventIds.TokenTooLarge, Level = LogLevel.Error, Message = "The token for connection {Connection} is larger than Table Storage can hold ({MaxBytes} bytes); it is served from memory only and every instance fetches its own")]
        public static partial void TokenTooLarge(ILogger logger, string connection, int maxBytes);
    }
}
