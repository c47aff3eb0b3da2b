using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using TokenBroker.Caching;
using TokenBroker.Connections;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// The inventory in the shared table: partition <see cref="Partition"/>, one row per connection (row key = the
/// connection's partition key) holding the inventory as compact JSON, and the row <see cref="RunRow"/> recording the
/// last run, whose ETag lets one instance claim a run.
/// </summary>
internal sealed class InventoryStore(TableClient table)
{
    /// <summary>The partition; '~' never starts a connection name, so it never meets a token entry.</summary>
    public const string Partition = "~inventory";

    /// <summary>The row of the run itself; '~' never starts a partition key of a connection either.</summary>
    public const string RunRow = "~run";

    private const string Body = "Inventory";
    private const string StartedOn = nameof(StartedOn);
    private const string CompletedOn = nameof(CompletedOn);

    private volatile bool _tableReady;

    /// <summary>
    /// Claims a run when the last one started <paramref name="interval"/> or more before <paramref name="now"/>. Not
    /// claimed when it is not due (with the last run's start, so the caller need not ask again before it is) or when
    /// another instance claimed it first (the ETag moved).
    /// </summary>
    public async Task<(bool Claimed, DateTimeOffset? LastStarted)> TryClaimAsync(DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken)
    {
        if (!_tableReady)
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
            _tableReady = true;
        }

        var existing = await table.GetEntityIfExistsAsync<TableEntity>(Partition, RunRow, cancellationToken: cancellationToken);
        var claim = new TableEntity(Partition, RunRow) { [StartedOn] = now };
        try
        {
            if (!existing.HasValue || existing.Value is not { } run)
            {
                await table.AddEntityAsync(claim, cancellationToken);
                return (true, now);
            }

            if (run.GetDateTimeOffset(StartedOn) is { } started && now - started < interval)
            {
                return (false, started);
            }

            await table.UpdateEntityAsync(claim, run.ETag, TableUpdateMode.Replace, cancellationToken);
            return (true, now);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return (false, null);
        }
    }

    /// <summary>Records that the claimed run finished.</summary>
    public Task CompleteAsync(DateTimeOffset startedOn, DateTimeOffset completedOn, CancellationToken cancellationToken) =>
        table.UpsertEntityAsync(new TableEntity(Partition, RunRow) { [StartedOn] = startedOn, [CompletedOn] = completedOn }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>Writes one connection's inventory over the previous one.</summary>
    public Task WriteAsync(Connection connection, CredentialInventory inventory, CancellationToken cancellationToken) =>
        table.UpsertEntityAsync(
            new TableEntity(Partition, connection.DefaultCacheKey.PartitionKey) { [Body] = JsonSerializer.Serialize(inventory, InventoryJson.Default.CredentialInventory) },
            TableUpdateMode.Replace,
            cancellationToken);

    /// <summary>Every stored inventory by row key, and when the last run started; empty when none was taken yet.</summary>
    public async Task<InventorySnapshot> ReadAsync(DateTimeOffset readOn, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, CredentialInventory>(StringComparer.Ordinal);
        DateTimeOffset? started = null, completed = null;
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: cancellationToken))
            {
                if (entity.RowKey == RunRow)
                {
                    started = entity.GetDateTimeOffset(StartedOn);
                    completed = entity.GetDateTimeOffset(CompletedOn);
                }
                else if (entity.GetString(Body) is { } body && TryRead(body) is { } inventory)
                {
                    rows[entity.RowKey] = inventory;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No table yet: no inventory was taken.
        }

        return new InventorySnapshot(readOn, started, completed, rows);
    }

    // A row written by another version of the broker, or damaged, is skipped: the next run writes it again.
    private static CredentialInventory? TryRead(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, InventoryJson.Default.CredentialInventory);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The stored inventory as one instance read it.</summary>
/// <param name="ReadOn">When this instance read it from the table.</param>
/// <param name="StartedOn">When the last run started, if any did.</param>
/// <param name="CompletedOn">When the last run that finished did.</param>
/// <param name="Rows">Each connection's inventory by its partition key.</param>
internal sealed record InventorySnapshot(DateTimeOffset ReadOn, DateTimeOffset? StartedOn, DateTimeOffset? CompletedOn, IReadOnlyDictionary<string, CredentialInventory> Rows)
{
    public static InventorySnapshot Empty { get; } = new(DateTimeOffset.MinValue, null, null, new Dictionary<string, CredentialInventory>());

    /// <summary>The inventory of <paramref name="connection"/>, if one was taken.</summary>
    public CredentialInventory? For(Connection connection) =>
        connection is not null && Rows.TryGetValue(connection.DefaultCacheKey.PartitionKey, out var inventory) ? inventory : null;
}
