using Azure;
using Azure.Data.Tables;

namespace TokenBroker.Caching;

/// <summary>Upkeep of the entries: use marks for the idle rule, idle deletion, and a connection's eviction.</summary>
internal sealed partial class TableTokenStore
{
    /// <summary>Records that callers still use an entry, so the refresh job keeps it warm.</summary>
    public Task TouchAsync(TokenCacheKey key, DateTimeOffset lastRequestedOn, CancellationToken cancellationToken) =>
        MergeAsync(new TableEntity(key.PartitionKey, key.RowKey) { [TokenEntity.LastRequestedOn] = lastRequestedOn }, "touch", cancellationToken);

    /// <summary>Deletes an entry unless it changed since it was read.</summary>
    public async Task<bool> DeleteAsync(StoredEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(entry.PartitionKey, entry.RowKey, entry.ETag, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
        catch (Exception ex) when (StoreDiagnostics.IsStorageFailure(ex, cancellationToken))
        {
            _diagnostics.Failed("delete", entry.PartitionKey, ex);
            return false;
        }
    }

    /// <summary>Deletes every entry of a connection (its <paramref name="partitionKey"/>), whatever its state; returns how many.</summary>
    public async Task<int> DeleteConnectionAsync(string partitionKey, CancellationToken cancellationToken)
    {
        var deleted = 0;
        await foreach (var entity in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await _table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, cancellationToken);
            deleted++;
        }

        return deleted;
    }
}
