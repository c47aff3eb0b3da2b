using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace TokenBroker.Caching;

/// <summary>
/// The token entries of the tier shared by every instance, and the place instances coordinate: a lease on an entity,
/// taken with ETag-conditional writes, decides which instance fetches. Table Storage being down must never fail a caller,
/// so every storage error is reported (<see cref="StoreDiagnostics"/>) and answered as "unavailable", a miss, or a
/// skipped write. One concern per file: reading (here), leases and holds, writing sealed tokens, listing, and upkeep
/// (touch and delete). Eviction stamps live in <see cref="EvictionGenerations"/>.
/// </summary>
internal sealed partial class TableTokenStore
{
    private readonly TableClient _table;
    private readonly TokenProtector _protector;
    private readonly TimeProvider _time;
    private readonly StoreDiagnostics _diagnostics;
    private readonly TimeSpan _readTimeout;

    private volatile bool _tableReady;

    public TableTokenStore(TableClient table, TokenProtector protector, TimeProvider time, StoreDiagnostics diagnostics, IOptions<TokenCacheOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _table = table;
        _protector = protector;
        _time = time;
        _diagnostics = diagnostics;
        _readTimeout = options.Value.OperationTimeout;
    }

    /// <summary>The entry for <paramref name="key"/>, its token opened when it may be served.</summary>
    public async Task<StoredRead> ReadAsync(TokenCacheKey key, CancellationToken cancellationToken)
    {
        // A table that never answers must not hold a cold fetch for the client's network timeouts: after this bound the
        // read is a failure, the shared tier is skipped for the rest of the fetch, and the caller gets its token from the
        // authorization server. Wall-clock time, as the network's: a frozen test clock must not freeze a read.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_readTimeout);
        try
        {
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: bounded.Token);
            if (!response.HasValue || response.Value is null)
            {
                return StoredRead.Missing;
            }

            var entry = TokenEntity.FromEntity(response.Value);
            if (entry.Problem is not null)
            {
                // A miss, not an outage: the fetch that follows takes the lease on this very entity and overwrites it.
                _diagnostics.Unreadable("read", key.PartitionKey, key.RowKey, entry.Problem);
                return StoredRead.Found(entry);
            }

            return StoredRead.Found(await OpenAsync(entry, cancellationToken));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The table itself is missing: nothing is cached yet; the first write creates it.
            _tableReady = false;
            return StoredRead.Missing;
        }
        catch (Exception ex) when (StoreDiagnostics.IsStorageFailure(ex, cancellationToken))
        {
            _diagnostics.Failed("read", key.PartitionKey, ex);
            return StoredRead.Unavailable;
        }
    }

    private async Task<StoredEntry> OpenAsync(StoredEntry entry, CancellationToken cancellationToken)
    {
        if (entry.Sealed is not { } sealedToken)
        {
            return entry;
        }

        var token = await _protector.OpenAsync(entry.Key, sealedToken, cancellationToken);
        if (token is null)
        {
            return entry;
        }

        // Only a broker holding the key wrote these values, and it never writes such a token; refuse it all the same.
        if (token.Lifetime <= TimeSpan.Zero || token.ExpiresOn <= _time.GetUtcNow())
        {
            _diagnostics.Unreadable("read", entry.PartitionKey, entry.RowKey, token.Lifetime <= TimeSpan.Zero ? "lifetime not positive" : "expired");
            return entry;
        }

        return entry with { Token = token };
    }

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (_tableReady)
        {
            return;
        }

        await _table.CreateIfNotExistsAsync(cancellationToken);
        _tableReady = true;
    }

    // A merge that needs no ETag: the property it writes wins whoever wrote last (a release, a hold, a use mark).
    private async Task MergeAsync(TableEntity update, string operation, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Nothing to update: the entry was deleted (idle) or never written.
        }
        catch (Exception ex) when (StoreDiagnostics.IsStorageFailure(ex, cancellationToken))
        {
            _diagnostics.Failed(operation, update.PartitionKey, ex);
        }
    }
}
