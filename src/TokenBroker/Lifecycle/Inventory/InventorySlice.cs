using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// One slice of the inventory: reads the due connections in order, <see cref="InventoryOptions.MaxParallelReads"/> at a
/// time, starting none once <see cref="InventoryOptions.MaxRunTime"/> has passed or
/// <see cref="InventoryOptions.MaxReadsPerRun"/> have started, and writes what it read in entity-group transactions
/// while it reads. A transaction that fails is logged and its rows keep their old age, so the next run reads them again.
/// </summary>
internal sealed partial class InventorySlice(
    CredentialInventoryReader reader,
    InventoryStore store,
    TimeProvider time,
    IOptions<InventoryOptions> options,
    ILogger<InventorySlice> logger)
{
    /// <summary>Reads and writes as much of <paramref name="due"/> as the budget allows.</summary>
    public async Task<InventorySliceResult> TakeAsync(IReadOnlyList<Connection> due, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(due);
        var settings = options.Value;
        var started = time.GetTimestamp();
        var limit = Math.Min(due.Count, settings.MaxReadsPerRun);
        var next = -1;
        var flagged = 0;

        // Reads in flight when the budget ends may finish; a vault or Graph that never answers is cut off at twice the
        // budget, so it cannot hold the refresh run (its connection is simply read again next run).
        using var cutOff = new CancellationTokenSource(settings.RunBudget * 2, time);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cutOff.Token);
        var read = Channel.CreateUnbounded<(Connection, CredentialInventory)>(new UnboundedChannelOptions { SingleReader = true });
        var writing = WriteAsync(read.Reader, cancellationToken);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Min(settings.MaxParallelReads, limit)).Select(_ => ReadAsync()));
        }
        finally
        {
            read.Writer.Complete();
        }

        var (written, failed) = await writing;
        return new InventorySliceResult(written, failed, flagged);

        async Task ReadAsync()
        {
            while (time.GetElapsedTime(started) < settings.RunBudget)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= limit)
                {
                    return;
                }

                try
                {
                    var inventory = await reader.ReadAsync(due[i], reading.Token);
                    if (inventory.Flags.Count > 0)
                    {
                        Interlocked.Increment(ref flagged);
                        Log.Flagged(logger, due[i].Name, string.Join(' ', inventory.Flags), inventory.ExpiresOn);
                    }

                    read.Writer.TryWrite((due[i], inventory));
                }
                catch (OperationCanceledException) when (cutOff.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    // One writer, so the partition sees one transaction at a time however many reads run.
    private async Task<(List<(Connection, CredentialInventory)> Written, int Failed)> WriteAsync(ChannelReader<(Connection, CredentialInventory)> rows, CancellationToken cancellationToken)
    {
        var written = new List<(Connection, CredentialInventory)>();
        var batch = new List<(Connection Connection, CredentialInventory Inventory)>(InventoryStore.MaxRowsPerTransaction);
        var failed = 0;
        while (await rows.WaitToReadAsync(cancellationToken))
        {
            while (rows.TryRead(out var row))
            {
                batch.Add(row);
                if (batch.Count == InventoryStore.MaxRowsPerTransaction)
                {
                    failed += await FlushAsync(batch, written, cancellationToken);
                }
            }
        }

        // The reads have ended: the last rows go out in a smaller transaction.
        failed += await FlushAsync(batch, written, cancellationToken);
        return (written, failed);
    }

    private async Task<int> FlushAsync(List<(Connection Connection, CredentialInventory Inventory)> batch, List<(Connection, CredentialInventory)> written, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        try
        {
            await store.WriteAsync(batch, cancellationToken);
            written.AddRange(batch);
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The table refused the transaction (an entity too large, the table down): none of its rows was written.
            Log.WriteFailed(logger, batch.Count, ex.GetType().Name);
            return batch.Count;
        }
        finally
        {
            batch.Clear();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.InventoryFlagged, Level = LogLevel.Warning, Message = "Credential inventory: connection {Connection} is flagged {Flags} (expires {ExpiresOn:O})")]
        public static partial void Flagged(ILogger logger, string connection, string flags, DateTimeOffset? expiresOn);

        [LoggerMessage(EventId = EventIds.InventoryWriteFailed, Level = LogLevel.Warning, Message = "Credential inventory: a transaction of {Rows} rows could not be written ({Failure}); those connections are read again on the next refresh run")]
        public static partial void WriteFailed(ILogger logger, int rows, string failure);
    }
}

/// <summary>What one slice did.</summary>
/// <param name="Written">The connections read and written, with what was read.</param>
/// <param name="Failed">Connections read whose transaction failed: read again next run.</param>
/// <param name="Flagged">Connections read with at least one flag.</param>
internal sealed record InventorySliceResult(IReadOnlyList<(Connection Connection, CredentialInventory Inventory)> Written, int Failed, int Flagged);
