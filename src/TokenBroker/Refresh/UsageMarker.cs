using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Caching;
using TokenBroker.Diagnostics;

namespace TokenBroker.Refresh;

/// <summary>
/// Writes this instance's use of cached tokens to the shared table (<c>LastRequestedOn</c>), on every instance, in both
/// hosts. The refresh job deletes entries nobody used within <c>IdleTimeout</c>, and in Azure it runs on one instance
/// at a time (the timer is a singleton): it can only see the uses other instances wrote. A mark is written only when it
/// moves the entry's last use forward by at least <see cref="Threshold"/> beyond what the table is known to hold: this
/// instance's previous mark, or the entity's <c>LastRequestedOn</c> as this instance last read or wrote it. A refresh writes
/// its instance's last use with the token and every other instance reads it with the new token, so while tokens are
/// refreshed more often than the threshold a hot entry needs no marks at all, and otherwise one per threshold.
/// </summary>
internal sealed partial class UsageMarker(
    MemoryTokenCache memory,
    TableTokenStore store,
    TimeProvider time,
    IOptions<RefreshOptions> options,
    ILogger<UsageMarker> logger) : BackgroundService
{
    // What this instance last wrote per cache key: a write that would not move it by Threshold changes nothing for the idle rule.
    private readonly Dictionary<string, DateTimeOffset> _marked = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _marking = new(1, 1);

    /// <summary>How far a use must move an entry's mark before it is written: a 24th of the idle timeout, at least a minute.</summary>
    public static TimeSpan Threshold(RefreshOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.IdleTimeout / 24 < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : options.IdleTimeout / 24;
    }

    /// <summary>Writes the marks that changed since the last pass; returns how many it wrote.</summary>
    public async Task<int> MarkAsync(CancellationToken cancellationToken)
    {
        await _marking.WaitAsync(cancellationToken);
        try
        {
            var threshold = Threshold(options.Value);
            var present = new HashSet<string>(StringComparer.Ordinal);
            var written = 0;
            foreach (var (id, entry) in memory.Entries)
            {
                present.Add(id);
                var used = entry.LastRequested;
                var known = entry.LastRequestedInTable;
                if (_marked.TryGetValue(id, out var mark) && (known is null || mark > known))
                {
                    known = mark;
                }

                if (known is { } inTable && used - inTable < threshold)
                {
                    continue;
                }

                await store.TouchAsync(entry.Key, used, cancellationToken);
                _marked[id] = used;
                written++;
            }

            foreach (var gone in _marked.Keys.Where(id => !present.Contains(id)).ToList())
            {
                _marked.Remove(gone);
            }

            return written;
        }
        finally
        {
            _marking.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.UsageMarkInterval, time, stoppingToken);
                await MarkAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The next pass writes whatever this one missed; a crash here would stop marking for the life of the process.
                Log.MarkFailed(logger, ex.GetType().Name);
            }
        }
    }

    public override void Dispose()
    {
        _marking.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.UsageMarkFailed, Level = LogLevel.Warning, Message = "Writing usage marks failed: {ErrorType}; the next pass will try again")]
        public static partial void MarkFailed(ILogger logger, string errorType);
    }
}
