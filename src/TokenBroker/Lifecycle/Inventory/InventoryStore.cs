using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using TokenBroker.Connections;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// The inventory in the shared table: partition <see cref="Partition"/>, one row per connection (row key = the
/// connection's partition key) holding the inventory as compact JSON and when it was taken, and the row
/// <see cref="RunRow"/> recording the slices: who holds one now, and when the next is due. Its ETag lets one instance
/// claim a slice.
/// </summary>
internal sealed class InventoryStore(TableClient table)
{
    /// <summary>The partition; '~' never starts a connection name, so it never meets a token entry.</summary>
    public const string Partition = "~inventory";

    /// <summary>The row of the run itself; '~' never starts a partition key of a connection either.</summary>
    public const string RunRow = "~run";

    /// <summary>
    /// Rows per entity-group transaction: "The transaction can include at most 100 entities, and its total payload may be
    /// no more than 4 MiB" (https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions).
    /// A row is at most about 12,000 characters of JSON, so 100 stay far below 4 MiB.
    /// </summary>
    public const int MaxRowsPerTransaction = 100;

    private const string Body = "Inventory";
    private const string TakenOn = nameof(TakenOn);
    private const string StartedOn = nameof(StartedOn);
    private const string CompletedOn = nameof(CompletedOn);
    private const string ClaimedUntil = nameof(ClaimedUntil);
    private const string NextDueOn = nameof(NextDueOn);

    private volatile bool _tableReady;

    /// <summary>
    /// Claims a slice when none is held and one is due at <paramref name="now"/>, holding it for <paramref name="hold"/>.
    /// Not claimed when another instance holds one or none is due (with when to ask again, so the caller need not ask
    /// the table before), or when another instance claimed first (the ETag moved).
    /// </summary>
    public async Task<InventoryClaim> TryClaimAsync(DateTimeOffset now, TimeSpan hold, CancellationToken cancellationToken)
    {
        if (!_tableReady)
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
            _tableReady = true;
        }

        var existing = await table.GetEntityIfExistsAsync<TableEntity>(Partition, RunRow, cancellationToken: cancellationToken);
        var claim = new TableEntity(Partition, RunRow) { [StartedOn] = now, [ClaimedUntil] = now + hold };
        try
        {
            if (!existing.HasValue || existing.Value is not { } run)
            {
                return InventoryClaim.Won((await table.AddEntityAsync(claim, cancellationToken)).Headers.ETag);
            }

            if (run.GetDateTimeOffset(ClaimedUntil) is { } held && held > now)
            {
                return InventoryClaim.Lost(held);
            }

            // A run row of the version before slices has no NextDueOn: due now, and the rows it wrote have no TakenOn,
            // so they are read again, oldest first, like rows never read.
            if (run.GetDateTimeOffset(NextDueOn) is { } due && due > now)
            {
                return InventoryClaim.Lost(due);
            }

            return InventoryClaim.Won((await table.UpdateEntityAsync(claim, run.ETag, TableUpdateMode.Replace, cancellationToken)).Headers.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return InventoryClaim.Lost(null);
        }
    }

    /// <summary>
    /// Releases the claimed slice and records when the next is due; false when the hold ran out and another instance
    /// claimed since (its own completion then records the due time).
    /// </summary>
    public async Task<bool> CompleteAsync(InventoryClaim claim, DateTimeOffset startedOn, DateTimeOffset completedOn, DateTimeOffset nextDueOn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var run = new TableEntity(Partition, RunRow) { [StartedOn] = startedOn, [CompletedOn] = completedOn, [NextDueOn] = nextDueOn };
        try
        {
            await table.UpdateEntityAsync(run, claim.ETag ?? ETag.All, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>When each stored row was taken, by row key: only two properties of each row cross the wire.</summary>
    public async Task<Dictionary<string, DateTimeOffset>> ReadTakenOnAsync(CancellationToken cancellationToken)
    {
        var taken = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), select: ["RowKey", TakenOn], cancellationToken: cancellationToken))
        {
            if (entity.RowKey != RunRow && entity.GetDateTimeOffset(TakenOn) is { } on)
            {
                taken[entity.RowKey] = on;
            }
        }

        return taken;
    }

    /// <summary>
    /// Writes up to <see cref="MaxRowsPerTransaction"/> connections' inventories over the previous ones in one
    /// entity-group transaction: upserts, so a repeat is harmless; all or none are written.
    /// </summary>
    public async Task WriteAsync(IReadOnlyList<(Connection Connection, CredentialInventory Inventory)> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows.Count, MaxRowsPerTransaction);
        if (rows.Count == 0)
        {
            return;
        }

        var actions = rows.Select(row => new TableTransactionAction(
            TableTransactionActionType.UpsertReplace,
            new TableEntity(Partition, InventorySchedule.RowKey(row.Connection))
            {
                [Body] = JsonSerializer.Serialize(row.Inventory, InventoryJson.Default.CredentialInventory),
                [TakenOn] = row.Inventory.TakenAt,
            }));
        await table.SubmitTransactionAsync(actions, cancellationToken);
    }

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
