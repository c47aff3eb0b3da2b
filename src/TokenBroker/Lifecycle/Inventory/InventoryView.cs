using Microsoft.Extensions.Logging;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// What this instance knows of the stored inventory: read from the table at most every <see cref="MaxAge"/>, so the ops
/// listing and the gauges never reach Graph or Key Vault and cost the table one query a while, not one per request.
/// </summary>
internal sealed partial class InventoryView(InventoryStore store, TimeProvider time, ILogger<InventoryView> logger) : IDisposable
{
    /// <summary>How long a read of the table is served before the next one.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    /// <summary>How long the first gauge collection on an instance waits for the first read of the table.</summary>
    public static readonly TimeSpan SeedWait = TimeSpan.FromSeconds(2);

    private readonly Lock _applying = new();
    private int _seeded;

    private readonly SemaphoreSlim _reading = new(1, 1);
    private volatile InventorySnapshot _snapshot = InventorySnapshot.Empty;

    /// <summary>The last snapshot read, however old; for the gauges, whose callbacks must not wait on the table.</summary>
    public InventorySnapshot Current => _snapshot;

    /// <summary>The snapshot, read again from the table when older than <see cref="MaxAge"/>; the last one when the table fails.</summary>
    public async Task<InventorySnapshot> GetAsync(CancellationToken cancellationToken)
    {
        if (!IsStale)
        {
            return _snapshot;
        }

        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (IsStale)
            {
                _snapshot = await store.ReadAsync(time.GetUtcNow(), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ReadFailed(logger, ex.GetType().Name);
        }
        finally
        {
            _reading.Release();
        }

        return _snapshot;
    }

    /// <summary>Starts a read in the background when the snapshot is stale (for the gauges).</summary>
    public void RefreshInBackground()
    {
        if (IsStale && _reading.CurrentCount > 0)
        {
            _ = Task.Run(() => GetAsync(CancellationToken.None));
        }
    }

    /// <summary>
    /// The snapshot for the gauges, whose callbacks must not wait on the table: the last one read, with a read started in
    /// the background when stale. Only the first collection on an instance waits (at most <see cref="SeedWait"/>) for
    /// the first read, so a new instance's gauges are not empty until the collection after.
    /// </summary>
    public InventorySnapshot ForGauges()
    {
        if (_snapshot.ReadOn == DateTimeOffset.MinValue && Interlocked.Exchange(ref _seeded, 1) == 0)
        {
            // GetAsync never throws but for cancellation, which CancellationToken.None rules out.
            _ = GetAsync(CancellationToken.None).Wait(SeedWait);
            return _snapshot;
        }

        RefreshInBackground();
        return _snapshot;
    }

    public void Dispose() => _reading.Dispose();

    /// <summary>Lays the rows this instance just wrote over its snapshot, so the listing and gauges here show each slice at once.</summary>
    public void Apply(IReadOnlyList<(Connection Connection, CredentialInventory Inventory)> written)
    {
        ArgumentNullException.ThrowIfNull(written);
        if (written.Count == 0)
        {
            return;
        }

        lock (_applying)
        {
            var current = _snapshot;
            var rows = new Dictionary<string, CredentialInventory>(current.Rows, StringComparer.Ordinal);
            foreach (var (connection, inventory) in written)
            {
                rows[InventorySchedule.RowKey(connection)] = inventory;
            }

            // ReadOn stays: the rows other instances wrote are still as old as the last read of the table.
            _snapshot = current with { Rows = rows };
        }
    }

    private bool IsStale => time.GetUtcNow() - _snapshot.ReadOn >= MaxAge;

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.InventoryReadFailed, Level = LogLevel.Warning, Message = "Credential inventory: the stored inventory could not be read from the table ({Failure}); the last one read is shown")]
        public static partial void ReadFailed(ILogger logger, string failure);
    }
}
