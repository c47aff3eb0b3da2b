using Azure;
using Azure.Data.Tables;

namespace TokenBroker.Lifecycle.Rotation;

/// <summary>
/// The rotation rows in the shared table. Every write is conditional (add when absent, replace with If-Match), so two
/// instances that both think they run a step cannot both record it: the second learns it lost and stops.
/// </summary>
internal sealed class RotationStore(TableClient table)
{
    /// <summary>The partition of the rows; never a connection's, since '~' is not allowed in connection names.</summary>
    public const string Partition = "~rotation";

    public async Task<RotationRecord?> GetAsync(string connection, CancellationToken cancellationToken)
    {
        try
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, connection, cancellationToken: cancellationToken);
            return row.HasValue && row.Value is { } entity ? RotationRecord.FromEntity(entity) : null;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Every rotation row by connection (unreadable rows are left out).</summary>
    public async Task<Dictionary<string, RotationRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, RotationRecord>(StringComparer.Ordinal);
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: cancellationToken))
            {
                if (RotationRecord.FromEntity(entity) is { } record)
                {
                    rows[record.Connection] = record;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No table yet: nothing was ever rotated.
        }

        return rows;
    }

    /// <summary>
    /// Writes <paramref name="record"/>: a new row when <paramref name="previous"/> is null, else in place of that
    /// version of the row. False when the row changed (or appeared) meanwhile: another instance moved first.
    /// </summary>
    public async Task<RotationRecord?> TryWriteAsync(RotationRecord record, RotationRecord? previous, CancellationToken cancellationToken)
    {
        try
        {
            Response response;
            if (previous is null)
            {
                await table.CreateIfNotExistsAsync(cancellationToken);
                response = await table.AddEntityAsync(record.ToEntity(), cancellationToken);
            }
            else
            {
                response = await table.UpdateEntityAsync(record.ToEntity(), previous.ETag, TableUpdateMode.Replace, cancellationToken);
            }

            return record with { ETag = response.Headers.ETag ?? default };
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return null;
        }
    }
}
