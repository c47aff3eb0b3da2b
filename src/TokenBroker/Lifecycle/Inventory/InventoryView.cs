using Microsoft.Extensions.Logging;
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

    public void Dispose() => _reading.Dispose();

    /// <summary>Replaces the snapshot with one this instance just wrote, so the instance that ran shows it at once.</summary>
    public void Set(InventorySnapshot snapshot) => _snapshot = snapshot;

    private bool IsStale => time.GetUtcNow() - _snapshot.ReadOn >= MaxAge;

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.InventoryReadFailed, Level = LogLevel.Warning, Message = "Credential inventory: the stored inventory could not be read from the table ({Failure}); the last one read is shown")]
        public static partial void ReadFailed(ILogger logger, string failure);
    }
}
