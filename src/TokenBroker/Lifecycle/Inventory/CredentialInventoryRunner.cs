using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;
using TokenBroker.Refresh;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// Takes the inventory a slice at a time, at the end of each refresh run (so on one instance at a time, and the run row's
/// ETag keeps two overlapping runs from both taking a slice): the connections whose rows are due, oldest first, within
/// <see cref="InventoryOptions.MaxRunTime"/>, until every row is younger than <see cref="InventoryOptions.Interval"/>.
/// A failure is logged and never fails the refresh run that called it.
/// </summary>
internal sealed partial class CredentialInventoryRunner(
    ConnectionRegistry connections,
    InventorySlice slice,
    InventoryStore store,
    InventoryView view,
    TimeProvider time,
    IOptions<InventoryOptions> options,
    IOptions<RefreshOptions> refresh,
    ILogger<CredentialInventoryRunner> logger)
{
    // A row is read one refresh interval before it would turn Interval old, so the run before that moment takes it.
    private readonly TimeSpan _lead = RefreshPeriod.Of(refresh.Value.Schedule) ?? TimeSpan.FromMinutes(1);

    // Until when this instance knows no slice is due (or another instance holds one): until then a refresh run costs the
    // table nothing for the inventory. (UTC ticks, 0 when unknown; Interlocked because runs of the Functions timer may overlap.)
    private long _askAgainTicks;

    /// <summary>Takes a slice if one is due; true when this call wrote at least one connection's row.</summary>
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
            if (started.UtcTicks < Interlocked.Read(ref _askAgainTicks))
            {
                return false;
            }

            // The hold outlasts the slice (reads stop at MaxRunTime, stragglers are cut off at twice that, then the last
            // transaction): another instance takes over only from a slice that crashed.
            var claim = await store.TryClaimAsync(started, settings.RunBudget * 4, cancellationToken);
            if (!claim.Claimed)
            {
                Interlocked.Exchange(ref _askAgainTicks, claim.AskAgainOn?.UtcTicks ?? 0);
                return false;
            }

            var takenOn = await store.ReadTakenOnAsync(cancellationToken);
            var due = InventorySchedule.Due(connections.All, takenOn, started, settings.Interval, _lead);
            var result = await slice.TakeAsync(due, cancellationToken);
            foreach (var (connection, inventory) in result.Written)
            {
                takenOn[InventorySchedule.RowKey(connection)] = inventory.TakenAt;
            }

            view.Apply(result.Written);
            var completed = time.GetUtcNow();
            var nextDue = InventorySchedule.NextDue(connections.All, takenOn, completed, settings.Interval, _lead);
            await store.CompleteAsync(claim, started, completed, nextDue, cancellationToken);
            Interlocked.Exchange(ref _askAgainTicks, nextDue.UtcTicks);

            var left = due.Count - result.Written.Count;
            Log.SliceTaken(logger, result.Written.Count, result.Flagged, left);
            if (left > 0 && due.Any(c => takenOn.TryGetValue(InventorySchedule.RowKey(c), out var taken) && completed - taken >= settings.Interval))
            {
                // The budget does not cover the connections: rows are older than Interval. (Connections never read are
                // not behind: a first pass over a large fleet takes several runs by design.)
                Log.Behind(logger, left, settings.RunBudget, settings.MaxReadsPerRun);
            }

            return result.Written.Count > 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The table (or something unforeseen) failed: the next run tries again; tokens are unaffected.
            Log.Failed(logger, ex.GetType().Name);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.InventorySliceTaken, Level = LogLevel.Information, Message = "Credential inventory slice: {Connections} connections read, {Flagged} with problems, {Left} still due")]
        public static partial void SliceTaken(ILogger logger, int connections, int flagged, int left);

        [LoggerMessage(EventId = EventIds.InventoryBehind, Level = LogLevel.Warning, Message = "Credential inventory is behind: {Left} connections are due and some rows are older than the interval; each refresh run reads for at most {MaxRunTime} and {MaxReadsPerRun} connections")]
        public static partial void Behind(ILogger logger, int left, TimeSpan maxRunTime, int maxReadsPerRun);

        [LoggerMessage(EventId = EventIds.InventoryFailed, Level = LogLevel.Warning, Message = "Credential inventory could not be taken ({Failure}); the refresh run is unaffected and the next one tries again")]
        public static partial void Failed(ILogger logger, string failure);
    }
}
