using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Caching;

/// <summary>
/// The tier shared by every instance, and the place instances coordinate: a lease on an entity, taken with
/// ETag-conditional writes, decides which instance fetches. Table Storage being down must never fail a caller, so every
/// storage error is logged and counted here and reported as "unavailable", a miss, or a skipped write.
/// </summary>
internal sealed partial class TableTokenStore(
    TableClient table,
    TokenProtector protector,
    TimeProvider time,
    TokenBrokerMetrics metrics,
    IOptions<TokenCacheOptions> options,
    ILogger<TableTokenStore> logger)
{
    private readonly TimeSpan _readTimeout = options.Value.OperationTimeout;

    private volatile bool _tableReady;

    /// <summary>The entry for <paramref name="key"/>; <c>Available</c> is false when the table could not be read.</summary>
    public async Task<(bool Available, StoredEntry? Entry)> ReadAsync(string connection, TokenCacheKey key, CancellationToken cancellationToken)
    {
        // A table that never answers must not hold a cold fetch for the client's network timeouts: after this bound the
        // read is a failure, the shared tier is skipped for the rest of the fetch, and the caller gets its token from the
        // authorization server. Wall-clock time, as the network's: a frozen test clock must not freeze a read.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_readTimeout);
        try
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: bounded.Token);
            if (!response.HasValue || response.Value is null)
            {
                return (true, null);
            }

            var entry = TokenEntity.FromEntity(response.Value);
            if (entry.Problem is not null)
            {
                // A miss, not an outage: the fetch that follows takes the lease on this very entity and overwrites it.
                Unreadable("read", connection, key.RowKey, entry.Problem);
                return (true, entry);
            }

            return (true, await OpenAsync(connection, key, entry, cancellationToken));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The table itself is missing: nothing is cached yet; the first write creates it.
            _tableReady = false;
            return (true, null);
        }
        catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
        {
            Failed("read", connection, ex);
            return (false, null);
        }
    }

    /// <summary>
    /// Takes the lease on <paramref name="key"/> for <paramref name="owner"/> until <paramref name="until"/>: an insert when
    /// there is no entity, else a merge conditional on the ETag that was read. Losing either race means another instance has it.
    /// </summary>
    public async Task<(LeaseOutcome Outcome, ETag ETag)> TryTakeLeaseAsync(
        string connection, TokenCacheKey key, StoredEntry? current, string requestedScope, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        if (current?.IsLeasedByOther(owner, now) == true)
        {
            metrics.LeaseContended(connection);
            return (LeaseOutcome.HeldByOther, default);
        }

        try
        {
            await EnsureTableAsync(cancellationToken);
            Response response;
            if (current is null)
            {
                response = await table.AddEntityAsync(TokenEntity.Placeholder(key, requestedScope, owner, until, now), cancellationToken);
            }
            else if (current.Problem is not null)
            {
                // An unreadable entity is replaced whole, so none of its properties outlives the lease; If-Match still decides who won.
                response = await table.UpdateEntityAsync(TokenEntity.Placeholder(key, requestedScope, owner, until, now), current.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            else
            {
                var lease = new TableEntity(key.PartitionKey, key.RowKey)
                {
                    [TokenEntity.LeaseOwner] = owner,
                    [TokenEntity.LeaseUntil] = until,
                    [TokenEntity.RequestedScope] = requestedScope,
                };
                response = await table.UpdateEntityAsync(lease, current.ETag, TableUpdateMode.Merge, cancellationToken);
            }

            return (LeaseOutcome.Taken, response.Headers.ETag ?? default);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            // 409: another instance inserted first; 412: the entity changed since we read it; 404: it was deleted meanwhile.
            metrics.LeaseContended(connection);
            return (LeaseOutcome.HeldByOther, default);
        }
        catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
        {
            Failed("lease", connection, ex);
            return (LeaseOutcome.Unavailable, default);
        }
    }

    /// <summary>Writes a fresh token and releases the lease in the same write.</summary>
    public async Task<bool> WriteTokenAsync(Connection connection, TokenCacheKey key, CachedToken token, TokenEntityContext context, CancellationToken cancellationToken)
    {
        SealedToken? sealedToken;
        try
        {
            sealedToken = await protector.SealAsync(key, token, cancellationToken);
        }
        catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
        {
            Failed("seal", connection.Name, ex);
            sealedToken = null;
        }

        if (sealedToken is null)
        {
            // No key, no shared tier: the token is still served from memory. The lease is released.
            await RecordFailureAsync(connection.Name, key, "encryption_key_unavailable", null, null, cancellationToken);
            return false;
        }

        var entity = TokenEntity.ToEntity(key, token, sealedToken, context);
        if (entity is null)
        {
            Log.TokenTooLarge(logger, connection.Name, TokenEntity.MaxTokenBytes);
            await RecordFailureAsync(connection.Name, key, "token_too_large", null, null, cancellationToken);
            return false;
        }

        try
        {
            await EnsureTableAsync(cancellationToken);
            await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
        {
            _tableReady = false;
            Failed("write", connection.Name, ex);
            return false;
        }
    }

    /// <summary>Records why a fetch failed, releases the lease, and publishes any hold every instance must respect.</summary>
    public async Task RecordFailureAsync(
        string connection, TokenCacheKey key, string error, DateTimeOffset? retryAfterUntil, DateTimeOffset? rejectedUntil, CancellationToken cancellationToken)
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

        await MergeAsync(connection, update, "failure", cancellationToken);
    }

    /// <summary>Records that callers still use an entry, so the refresh job keeps it warm.</summary>
    public Task TouchAsync(string connection, TokenCacheKey key, DateTimeOffset lastRequestedOn, CancellationToken cancellationToken) =>
        MergeAsync(connection, new TableEntity(key.PartitionKey, key.RowKey) { [TokenEntity.LastRequestedOn] = lastRequestedOn }, "touch", cancellationToken);

    private async Task<StoredEntry> OpenAsync(string connection, TokenCacheKey key, StoredEntry entry, CancellationToken cancellationToken)
    {
        if (entry.Sealed is not { } sealedToken)
        {
            return entry;
        }

        var token = await protector.OpenAsync(key, sealedToken, cancellationToken);
        if (token is null)
        {
            return entry;
        }

        // Only a broker holding the key wrote these values, and it never writes such a token; refuse it all the same.
        if (token.Lifetime <= TimeSpan.Zero || token.ExpiresOn <= time.GetUtcNow())
        {
            Unreadable("read", connection, key.RowKey, token.Lifetime <= TimeSpan.Zero ? "lifetime not positive" : "expired");
            return entry;
        }

        return entry with { Token = token };
    }

    /// <summary>Every entry in the table, tokens left sealed (the refresh job needs only their metadata).</summary>
    public async IAsyncEnumerable<StoredEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = table.QueryAsync<TableEntity>(cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                Page<TableEntity> page;
                try
                {
                    if (!await pages.MoveNextAsync())
                    {
                        yield break;
                    }

                    page = pages.Current;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    yield break;
                }
                catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
                {
                    Failed("list", "(all)", ex);
                    yield break;
                }

                foreach (var entity in page.Values)
                {
                    if (entity.PartitionKey == GenerationPartition)
                    {
                        continue;
                    }

                    var entry = TokenEntity.FromEntity(entity);
                    if (entry.Problem is not null)
                    {
                        // Skipped, not fatal: one bad entity must not stop the refresh job, the ops listing or a Key
                        // Vault event for every other entry. A request for it overwrites it.
                        Unreadable("list", entity.PartitionKey, entity.RowKey, entry.Problem);
                        continue;
                    }

                    yield return entry;
                }
            }
        }
        finally
        {
            await pages.DisposeAsync();
        }
    }

    /// <summary>The partition holding one generation entity per evicted connection (not a connection name: '~' is not allowed in those).</summary>
    public const string GenerationPartition = "~generation";

    /// <summary>Every connection's eviction generation; null when the table cannot be read (which says nothing about them).</summary>
    public async Task<Dictionary<string, long>?> ReadGenerationsAsync(CancellationToken cancellationToken)
    {
        var generations = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {GenerationPartition}"), cancellationToken: cancellationToken))
            {
                if (entity.TryGetValue("Generation", out var value) && value is long or int)
                {
                    generations[entity.RowKey] = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                }
                else
                {
                    Unreadable("generations", entity.RowKey, entity.RowKey, "property Generation is missing or not Int64");
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No table yet: nothing was ever evicted.
        }
        catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
        {
            Failed("generations", "(all)", ex);
            return null;
        }

        return generations;
    }

    /// <summary>Moves a connection's generation forward (ETag-guarded, retried on conflict) so every instance drops its tokens.</summary>
    public async Task<long> BumpGenerationAsync(string partitionKey, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(GenerationPartition, partitionKey, cancellationToken: cancellationToken);
            try
            {
                if (!current.HasValue || current.Value is null)
                {
                    await table.AddEntityAsync(new TableEntity(GenerationPartition, partitionKey) { ["Generation"] = 1L }, cancellationToken);
                    return 1;
                }

                var next = (current.Value.TryGetValue("Generation", out var value) && value is long generation ? generation : 0) + 1;
                await table.UpdateEntityAsync(new TableEntity(GenerationPartition, partitionKey) { ["Generation"] = next }, current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                return next;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 10)
            {
                // Another instance bumped it at the same moment; read again.
            }
        }
    }

    /// <summary>Deletes every entry of a connection.</summary>
    public async Task<int> DeleteConnectionAsync(string partitionKey, CancellationToken cancellationToken)
    {
        var deleted = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, cancellationToken);
            deleted++;
        }

        return deleted;
    }

    /// <summary>The scope sets a connection has entries for, plus its default: what a forced refresh of the connection covers.</summary>
    public async Task<IReadOnlyCollection<ScopeSet>> CachedScopeSetsAsync(Connection connection, CancellationToken cancellationToken)
    {
        var scopeSets = new HashSet<ScopeSet> { connection.DefaultScopes };
        await foreach (var entry in ListAsync(cancellationToken))
        {
            if (entry.PartitionKey == connection.DefaultCacheKey.PartitionKey
                && ScopeSet.TryParse(entry.RequestedScope, out var scopes, out _)
                && scopes.IsSubsetOf(connection.AllowedScopes))
            {
                scopeSets.Add(scopes);
            }
        }

        return scopeSets;
    }

    /// <summary>Deletes an entry unless it changed since it was read.</summary>
    public async Task<bool> DeleteAsync(StoredEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(entry.PartitionKey, entry.RowKey, entry.ETag, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
        catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
        {
            Failed("delete", entry.PartitionKey, ex);
            return false;
        }
    }

    private async Task MergeAsync(string connection, TableEntity update, string operation, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Nothing to update: the entry was deleted (idle) or never written.
        }
        catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
        {
            Failed(operation, connection, ex);
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

    private void Unreadable(string operation, string connection, string rowKey, string problem)
    {
        metrics.UnreadableEntity(operation);
        Log.UnreadableEntity(logger, connection, rowKey, problem);
    }

    private void Failed(string operation, string connection, Exception ex)
    {
        metrics.StorageFailed(operation);
        Log.OperationFailed(logger, operation, connection, ex.GetType().Name, ex is RequestFailedException failed ? failed.Status : 0);
    }

    private static bool IsStorageFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested;

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Token cache {Operation} failed for connection {Connection}: {ErrorType} (status {Status}); continuing without the shared tier")]
        public static partial void OperationFailed(ILogger logger, string operation, string connection, string errorType, int status);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Token cache entity {RowKey} of connection {Connection} is unreadable ({Problem}); treated as a miss")]
        public static partial void UnreadableEntity(ILogger logger, string connection, string rowKey, string problem);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "The token for connection {Connection} is larger than Table Storage can hold ({MaxBytes} bytes); it is served from memory only and every instance fetches its own")]
        public static partial void TokenTooLarge(ILogger logger, string connection, int maxBytes);
    }
}
