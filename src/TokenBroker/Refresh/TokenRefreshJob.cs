using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Coordination;
using TokenBroker.Diagnostics;
using TokenBroker.Lifecycle.Inventory;
using TokenBroker.Lifecycle.Rotation;

namespace TokenBroker.Refresh;

/// <summary>
/// The proactive refresh: run by the Functions timer and by the standalone host's scheduler, on one instance at a time
/// (the timer is a singleton; the scheduler holds <see cref="RefreshLease"/>). Each run refreshes entries whose refresh
/// point has passed (the entry lease makes one instance do each) and deletes entries nobody asked for within the idle
/// timeout, judged by the marks every instance's <see cref="UsageMarker"/> writes. It is idempotent: running twice at
/// once, or late, refreshes only what is due and never the same entry twice.
/// </summary>
public sealed partial class TokenRefreshJob
{
    private readonly TableTokenStore _store;
    private readonly MemoryTokenCache _memory;
    private readonly ConnectionRegistry _connections;
    private readonly TokenBrokerService _broker;
    private readonly TimeProvider _time;
    private readonly RefreshOptions _options;
    private readonly TokenBrokerMetrics _metrics;
    private readonly ILogger<TokenRefreshJob> _logger;
    private readonly RotationRunner _rotation;
    private readonly CredentialInventoryRunner? _inventory;

    internal TokenRefreshJob(
        TableTokenStore store,
        MemoryTokenCache memory,
        ConnectionRegistry connections,
        TokenBrokerService broker,
        TimeProvider time,
        IOptions<RefreshOptions> options,
        TokenBrokerMetrics metrics,
        ILogger<TokenRefreshJob> logger,
        RotationRunner rotation,
        CredentialInventoryRunner? inventory = null)
    {
        _store = store;
        _memory = memory;
        _connections = connections;
        _broker = broker;
        _time = time;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _rotation = rotation;
        _inventory = inventory;
    }

    /// <summary>One run. <paramref name="isPastDue"/> is only reported: a late run refreshes what is due, like any other.</summary>
    internal async Task<RefreshReport> RunAsync(bool isPastDue, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var used = _memory.Entries.ToDictionary(pair => pair.Key, pair => pair.Value.LastRequested, StringComparer.Ordinal);
        var due = new List<(Connection Connection, ScopeSet Scopes)>();
        int examined = 0, deleted = 0;

        await foreach (var entry in _store.ListAsync(cancellationToken))
        {
            examined++;
            // The marks of every instance are in the table; this instance's latest use may not be written yet.
            var lastUsed = Latest(entry.LastRequestedOn, used.GetValueOrDefault(entry.Key.Value));
            if (lastUsed is null || now - lastUsed > _options.IdleTimeout)
            {
                if (await _store.DeleteAsync(entry, cancellationToken))
                {
                    deleted++;
                    _memory.Remove(entry.Key);
                    Log.IdleDeleted(_logger, entry.PartitionKey, entry.RowKey);
                }

                continue;
            }

            // An entry whose fingerprint no longer matches the configuration is never refreshed: it ages out as idle.
            if (!_connections.TryGet(entry.PartitionKey, out var connection)
                || !ScopeSet.TryParse(entry.RequestedScope, out var scopes, out _)
                || connection.CacheKeyFor(scopes).RowKey != entry.RowKey)
            {
                continue;
            }

            if (entry.Metadata is null || entry.RefreshAt is not { } refreshAt || refreshAt <= now)
            {
                due.Add((connection, scopes));
            }
        }

        int refreshed = 0, leased = 0, failed = 0;
        await Parallel.ForEachAsync(
            due,
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelRefreshes, CancellationToken = cancellationToken },
            async (item, token) =>
            {
                var result = await _broker.RefreshAsync(item.Connection, item.Scopes, FetchMode.Refresh, token);
                _metrics.Refreshed(item.Connection.Name, TokenBrokerService.OutcomeName(result.Outcome));
                switch (result.Outcome)
                {
                    case FetchOutcome.Fetched or FetchOutcome.SameToken:
                        Interlocked.Increment(ref refreshed);
                        break;
                    case FetchOutcome.LeasedElsewhere or FetchOutcome.Served:
                        Interlocked.Increment(ref leased);
                        break;
                    case FetchOutcome.Failed or FetchOutcome.Held:
                        Interlocked.Increment(ref failed);
                        Log.RefreshFailed(_logger, item.Connection.Name, result.Result.Error?.Kind.ToString() ?? "unknown");
                        break;
                }
            });

        var report = new RefreshReport(examined, refreshed, leased, failed, deleted);
        Log.Completed(_logger, isPastDue, report.Examined, report.Refreshed, report.LeasedElsewhere, report.Failed, report.Deleted);

        // Due rotation steps, on this one instance: bounded in time, and a failure never fails the run.
        await _rotation.RunAsync(cancellationToken);

        // The credential inventory when due: after the tokens, and it never fails the run (it logs its own failures).
        if (_inventory is not null)
        {
            await _inventory.RunIfDueAsync(cancellationToken);
        }

        return report;
    }

    private static DateTimeOffset? Latest(DateTimeOffset? stored, DateTimeOffset usedHere) =>
        usedHere == default ? stored : stored is { } s && s > usedHere ? s : usedHere;

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RefreshRunCompleted, Level = LogLevel.Information, Message = "Refresh run (past due: {IsPastDue}): {Examined} entries, {Refreshed} refreshed, {LeasedElsewhere} refreshed elsewhere, {Failed} failed, {Deleted} idle deleted")]
        public static partial void Completed(ILogger logger, bool isPastDue, int examined, int refreshed, int leasedElsewhere, int failed, int deleted);

        [LoggerMessage(EventId = EventIds.EntryRefreshFailed, Level = LogLevel.Warning, Message = "Refresh of connection {Connection} failed ({Reason}); its current token is served until its safety margin")]
        public static partial void RefreshFailed(ILogger logger, string connection, string reason);

        [LoggerMessage(EventId = EventIds.IdleEntryDeleted, Level = LogLevel.Information, Message = "Deleted idle cache entry {RowKey} of connection {Connection}")]
        public static partial void IdleDeleted(ILogger logger, string connection, string rowKey);
    }
}
