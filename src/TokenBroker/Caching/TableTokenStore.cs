using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Caching;

/// <summary>
/// The tier shared by every instance. Table Storage being down must never fail a caller, so every
/// storage error is logged and counted here and reported as a miss or a skipped write.
/// </summary>
internal sealed partial class TableTokenStore(TableClient table, TokenBrokerMetrics metrics, ILogger<TableTokenStore> logger)
{
    private volatile bool _tableReady;

    public async Task<CachedToken?> TryGetAsync(Connection connection, TokenCacheKey key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
            if (!response.HasValue || response.Value is null)
            {
                return null;
            }

            var token = TokenEntity.FromEntity(response.Value, out var problem);
            if (token is null)
            {
                Log.UnreadableEntity(logger, connection.Name, key.RowKey, problem ?? "unknown");
            }

            return token;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The table itself is missing: nothing is cached yet; the first write creates it.
            _tableReady = false;
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            metrics.StorageFailed("read");
            Log.ReadFailed(logger, connection.Name, ex.GetType().Name, StatusOf(ex));
            return null;
        }
    }

    public async Task<bool> TrySetAsync(Connection connection, TokenCacheKey key, CachedToken token, CancellationToken cancellationToken)
    {
        var entity = TokenEntity.ToEntity(key, token, connection.ClientId, connection.TokenEndpoint);
        if (entity is null)
        {
            Log.TokenTooLarge(logger, connection.Name, TokenEntity.MaxTokenBytes);
            return false;
        }

        try
        {
            await EnsureTableAsync(cancellationToken);
            await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _tableReady = false;
            metrics.StorageFailed("write");
            Log.WriteFailed(logger, connection.Name, ex.GetType().Name, StatusOf(ex));
            return false;
        }
    }

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (_tableReady)
        {
            return;
        }

        await table.CreateIfNotExistsAsync(cancellationToken);
        _tableReady = true;
    }

    private static int StatusOf(Exception ex) => ex is RequestFailedException failed ? failed.Status : 0;

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Token cache read failed for connection {Connection}: {ErrorType} (status {Status}); continuing without the shared tier")]
        public static partial void ReadFailed(ILogger logger, string connection, string errorType, int status);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Token cache write failed for connection {Connection}: {ErrorType} (status {Status}); the token is still served")]
        public static partial void WriteFailed(ILogger logger, string connection, string errorType, int status);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Token cache entity {RowKey} of connection {Connection} is unreadable ({Problem}); treated as a miss")]
        public static partial void UnreadableEntity(ILogger logger, string connection, string rowKey, string problem);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "The token for connection {Connection} is larger than Table Storage can hold ({MaxBytes} bytes); it is served from memory only and every instance fetches its own")]
        public static partial void TokenTooLarge(ILogger logger, string connection, int maxBytes);
    }
}
