using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace TokenBroker.Caching;

/// <summary>
/// One stamp per evicted connection in the shared table (partition <see cref="Partition"/>, row = the connection's
/// partition key): an eviction moves it forward, and every instance polls the stamps and drops the memory tier of a
/// connection whose stamp moved.
/// </summary>
internal sealed class EvictionGenerations(TableClient table, StoreDiagnostics diagnostics)
{
    /// <summary>The partition of the stamps; never a connection's, since '~' is not allowed in connection names.</summary>
    public const string Partition = "~generation";

    private const string Generation = nameof(Generation);

    // Another instance bumping at the same moment costs a read and a retry; this many in a row is not contention.
    private const int MaxConflicts = 10;

    /// <summary>Every connection's generation by partition key; null when the table cannot be read (which says nothing about them).</summary>
    public async Task<Dictionary<string, long>?> ReadAsync(CancellationToken cancellationToken)
    {
        var generations = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: cancellationToken))
            {
                if (entity.TryGetValue(Generation, out var value) && value is long or int)
                {
                    generations[entity.RowKey] = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                }
                else
                {
                    diagnostics.Unreadable("generations", entity.RowKey, entity.RowKey, "property Generation is missing or not Int64");
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No table yet: nothing was ever evicted.
        }
        catch (Exception ex) when (StoreDiagnostics.IsStorageFailure(ex, cancellationToken))
        {
            diagnostics.Failed("generations", "(all)", ex);
            return null;
        }

        return generations;
    }

    /// <summary>Moves the generation of <paramref name="partitionKey"/> forward (ETag-guarded, retried on conflict); returns the new one.</summary>
    public async Task<long> BumpAsync(string partitionKey, CancellationToken cancellationToken)
    {
        await table.CreateIfNotExistsAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(Partition, partitionKey, cancellationToken: cancellationToken);
            try
            {
                if (!current.HasValue || current.Value is null)
                {
                    await table.AddEntityAsync(new TableEntity(Partition, partitionKey) { [Generation] = 1L }, cancellationToken);
                    return 1;
                }

                var next = (current.Value.TryGetValue(Generation, out var value) && value is long generation ? generation : 0) + 1;
                await table.UpdateEntityAsync(new TableEntity(Partition, partitionKey) { [Generation] = next }, current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                return next;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxConflicts)
            {
                // Another instance bumped it at the same moment; read again.
            }
        }
    }
}
