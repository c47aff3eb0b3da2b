using Azure;
using Azure.Data.Tables;

namespace TokenBroker.Caching;

/// <summary>Leases (who fetches an entry) and holds (when nobody may), shared by every instance through the entity.</summary>
internal sealed partial class TableTokenStore
{
    /// <summary>
    /// Takes the lease on <paramref name="key"/> for <paramref name="owner"/> until <paramref name="until"/>: an insert when
    /// there is no entity, else a merge conditional on the ETag that was read. Losing either race means another instance has it.
    /// </summary>
    public async Task<LeaseOutcome> TryTakeLeaseAsync(
        TokenCacheKey key, StoredEntry? current, string requestedScope, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        if (current?.IsLeasedByOther(owner, now) == true)
        {
            return LeaseOutcome.HeldByOther;
        }

        try
        {
            await EnsureTableAsync(cancellationToken);
            if (current is null)
            {
                await _table.AddEntityAsync(TokenEntity.Placeholder(key, requestedScope, owner, until, now), cancellationToken);
            }
            else if (current.Problem is not null)
            {
                // An unreadable entity is replaced whole, so none of its properties outlives the lease; If-Match still decides who won.
                await _table.UpdateEntityAsync(TokenEntity.Placeholder(key, requestedScope, owner, until, now), current.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            else
            {
                var lease = new TableEntity(key.PartitionKey, key.RowKey)
                {
                    [TokenEntity.LeaseOwner] = owner,
                    [TokenEntity.LeaseUntil] = until,
                    [TokenEntity.RequestedScope] = requestedScope,
                };
                await _table.UpdateEntityAsync(lease, current.ETag, TableUpdateMode.Merge, cancellationToken);
            }

            return LeaseOutcome.Taken;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            // 409: another instance inserted first; 412: the entity changed since we read it; 404: it was deleted meanwhile.
            return LeaseOutcome.HeldByOther;
        }
        catch (Exception ex) when (StoreDiagnostics.IsStorageFailure(ex, cancellationToken))
        {
            _diagnostics.Failed("lease", key.PartitionKey, ex);
            return LeaseOutcome.Unavailable;
        }
    }

    /// <summary>Records why a fetch failed, releases the lease, and publishes any hold every instance must respect.</summary>
    public Task RecordFailureAsync(
        TokenCacheKey key, string error, DateTimeOffset? retryAfterUntil, DateTimeOffset? rejectedUntil, CancellationToken cancellationToken)
    {
        var update = new TableEntity(key.PartitionKey, key.RowKey)
        {
            [TokenEntity.LeaseUntil] = TokenEntity.Never,
            [TokenEntity.LastError] = error,
        };
        if (retryAfterUntil is { } retry)
        {
            update[TokenEntity.RetryAfterUntil] = retry;
        }

        if (rejectedUntil is { } rejected)
        {
            update[TokenEntity.RejectedUntil] = rejected;
        }

        return MergeAsync(update, "failure", cancellationToken);
    }
}
