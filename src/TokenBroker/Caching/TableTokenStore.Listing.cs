using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using TokenBroker.Connections;

namespace TokenBroker.Caching;

/// <summary>Listing the entries, tokens left sealed: for the refresh job, the ops status and Key Vault events.</summary>
internal sealed partial class TableTokenStore
{
    /// <summary>Every entry in the table, tokens left sealed (the refresh job needs only their metadata).</summary>
    public async IAsyncEnumerable<StoredEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = _table.QueryAsync<TableEntity>(cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
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
                catch (Exception ex) when (StoreDiagnostics.IsStorageFailure(ex, cancellationToken))
                {
                    _diagnostics.Failed("list", "(all)", ex);
                    yield break;
                }

                foreach (var entity in page.Values)
                {
                    // The generation stamps, rotation rows and any other bookkeeping partition: never a token.
                    if (entity.PartitionKey.StartsWith('~'))
                    {
                        continue;
                    }

                    var entry = TokenEntity.FromEntity(entity);
                    if (entry.Problem is not null)
                    {
                        // Skipped, not fatal: one bad entity must not stop the refresh job, the ops listing or a Key
                        // Vault event for every other entry. A request for it overwrites it.
                        _diagnostics.Unreadable("list", entity.PartitionKey, entity.RowKey, entry.Problem);
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

    /// <summary>The scope sets the entries of <paramref name="partitionKey"/> were requested with (those that still parse).</summary>
    public async Task<IReadOnlyCollection<ScopeSet>> CachedScopeSetsAsync(string partitionKey, CancellationToken cancellationToken)
    {
        var scopeSets = new HashSet<ScopeSet>();
        await foreach (var entry in ListAsync(cancellationToken))
        {
            if (entry.PartitionKey == partitionKey && ScopeSet.TryParse(entry.RequestedScope, out var scopes, out _))
            {
                scopeSets.Add(scopes);
            }
        }

        return scopeSets;
    }
}
