using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// Takes the inventory when it is due, at the end of a refresh run (so on one instance at a time, and the run row's
/// ETag keeps two overlapping runs from both taking it): every connection read once, its row written to the table.
/// A failure is logged and never fails the refresh run that called it.
/// </summary>
internal sealed partial class CredentialInventoryRunner(
    ConnectionRegistry connections,
    CredentialInventoryReader reader,
    InventoryStore store,
    InventoryView view,
    TimeProvider time,
    IOptions<InventoryOptions> options,
    ILogger<CredentialInventoryRunner> logger)
{
    // Key Vault and Graph calls of different connections overlap a little, without a burst against either.
    private const int MaxParallelReads = 4;

    // When the last run this instance knows of started: until it is Interval old, a refresh run costs the table nothing.
    // (UTC ticks, 0 when unknown; Interlocked because runs of the Functions timer may overlap).
    private long _lastStartedTicks;

    /// <summary>Takes the inventory if the last one is <see cref="InventoryOptions.Interval"/> old; true when this call took it.</summary>
    public async Task<bool> RunIfDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return false;
        }

        var started = time.GetUtcNow();
        try
        {
            var known = Interlocked.Read(ref _lastStartedTicks);
            if (known != 0 && started.UtcTicks - known < settings.Interval.Ticks)
            {
                return false;
            }

            var (claimed, lastStarted) = await store.TryClaimAsync(started, settings.Interval, cancellationToken);
            Interlocked.Exchange(ref _lastStartedTicks, lastStarted?.UtcTicks ?? 0);
            if (!claimed)
            {
                return false;
            }

            var flagged = 0;
            await Parallel.ForEachAsync(
                connections.All,
                new ParallelOptions { MaxDegreeOfParallelism = MaxParallelReads, CancellationToken = cancellationToken },
                async (connection, token) =>
                {
                    var inventory = await reader.ReadAsync(connection, token);
                    await store.WriteAsync(connection, inventory, token);
                    if (inventory.Flags.Count > 0)
                    {
                        Interlocked.Increment(ref flagged);
                        Log.Flagged(logger, connection.Name, string.Join(' ', inventory.Flags), inventory.ExpiresOn);
                    }
                });

            var completed = time.GetUtcNow();
            await store.CompleteAsync(started, completed, cancellationToken);
            var snapshot = await store.ReadAsync(completed, cancellationToken);
            view.Set(snapshot);
            Log.Completed(logger, snapshot.Rows.Count, flagged);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The table (or something unforeseen) failed: the next due run tries again; tokens are unaffected.
            Log.Failed(logger, ex.GetType().Name);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.InventoryCompleted, Level = LogLevel.Information, Message = "Credential inventory taken: {Connections} connections, {Flagged} with problems")]
        public static partial void Completed(ILogger logger, int connections, int flagged);

        [LoggerMessage(EventId = EventIds.InventoryFlagged, Level = LogLevel.Warning, Message = "Credential inventory: connection {Connection} is flagged {Flags} (expires {ExpiresOn:O})")]
        public static partial void Flagged(ILogger logger, string connection, string flags, DateTimeOffset? expiresOn);

        [LoggerMessage(EventId = EventIds.InventoryFailed, Level = LogLevel.Warning, Message = "Credential inventory could not be taken ({Failure}); the refresh run is unaffected and the next one tries again")]
        public static partial void Failed(ILogger logger, string failure);
    }
}
