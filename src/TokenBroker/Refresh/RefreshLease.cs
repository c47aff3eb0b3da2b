using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using TokenBroker.Diagnostics;

namespace TokenBroker.Refresh;

/// <summary>
/// The standalone host's equivalent of the Functions timer's singleton lock: an entity in the shared table that one
/// instance holds for a while, so the refresh job runs on one instance at a time however many there are. The holder
/// renews it on each run; if it stops, another instance takes over once the lease has run out.
/// </summary>
internal sealed partial class RefreshLease(TableClient table, TimeProvider time, ILogger<RefreshLease> logger)
{
    /// <summary>The partition of the lease: '~' never starts a connection name, so no cache entry lives there.</summary>
    public const string Partition = "~refresh";

    private const string Row = "scheduler";

    /// <summary>Who this instance is in the lease.</summary>
    public string Owner { get; } = Guid.NewGuid().ToString("N");

    /// <summary>
    /// Takes or renews the lease for <paramref name="duration"/>. True when this instance holds it. When the table cannot be
    /// reached the answer is true: the job then runs, as it would without coordination, and its per-entry leases still
    /// keep every entry from being refreshed twice.
    /// </summary>
    public async Task<bool> TryAcquireAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lease = new TableEntity(Partition, Row) { ["Owner"] = Owner, ["Until"] = now + duration };
        try
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
            if (!current.HasValue)
            {
                await table.AddEntityAsync(lease, cancellationToken);
                return true;
            }

            var held = current.Value!;
            if (held.GetString("Owner") != Owner && held.GetDateTimeOffset("Until") > now)
            {
                return false;
            }

            await table.UpdateEntityAsync(lease, held.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another instance took or renewed it between the read and the write.
            return false;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
            return await TryAcquireAsync(duration, cancellationToken);
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or TimeoutException)
        {
            Log.Unavailable(logger, ex.GetType().Name);
            return true;
        }
    }

    /// <summary>
    /// Gives the lease up if this instance holds it, so another instance runs the job at its next instant instead of
    /// waiting out the hold (two intervals and 30 seconds) after a graceful stop. Best effort: if the table cannot be
    /// reached, the lease lapses as it would after a crash.
    /// </summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
            if (current.HasValue && current.Value!.GetString("Owner") == Owner)
            {
                // If-Match: another instance that took the lapsed lease in between keeps it.
                await table.DeleteEntityAsync(Partition, Row, current.Value.ETag, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            Log.ReleaseFailed(logger, ex.GetType().Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RefreshLeaseUnavailable, Level = LogLevel.Warning, Message = "The refresh lease could not be read or written ({ErrorType}); running the job without it")]
        public static partial void Unavailable(ILogger logger, string errorType);

        [LoggerMessage(EventId = EventIds.RefreshLeaseReleaseFailed, Level = LogLevel.Warning, Message = "The refresh lease could not be released at stop ({ErrorType}); another instance takes over when it lapses")]
        public static partial void ReleaseFailed(ILogger logger, string errorType);
    }
}
