using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Diagnostics;

namespace TokenBroker.Refresh;

/// <summary>
/// The standalone host's stand-in for the timer trigger: the same <see cref="TokenRefreshJob"/> on the same schedule.
/// Like the trigger with RunOnStartup off, the first run is the first scheduled instant after start; like the trigger on a
/// scaled-out app, it runs on one instance at a time: each instant, only the holder of the <see cref="RefreshLease"/> runs.
/// </summary>
internal sealed partial class RefreshScheduler(TokenRefreshJob job, RefreshLease lease, TimeProvider time, IOptions<RefreshOptions> options, ILogger<RefreshScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !RefreshSchedule.TryParse(options.Value.Schedule, out var schedule))
        {
            return;
        }

        try
        {
            var next = schedule.Next(time.GetUtcNow());
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = next - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken);
                }

                var now = time.GetUtcNow();
                var pastDue = now - next > TimeSpan.FromSeconds(30);
                try
                {
                    // Held past the next instant, so the holder keeps it while it lives and another takes over only when it stops.
                    var hold = (schedule.Next(next) - next) * 2 + TimeSpan.FromSeconds(30);
                    if (await lease.TryAcquireAsync(hold, stoppingToken))
                    {
                        await job.RunAsync(pastDue, stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The next run tries again; a crash here would stop refreshing for the life of the process.
                    Log.RunFailed(logger, ex.GetType().Name);
                }

                next = schedule.Next(time.GetUtcNow());
            }
        }
        finally
        {
            // A stopping instance (scale-in, deployment) hands the job over at the next instant rather than after the hold;
            // bounded, so a table that does not answer cannot hold the shutdown up.
            using var release = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await lease.ReleaseAsync(release.Token);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RefreshRunFailed, Level = LogLevel.Error, Message = "Refresh run failed: {ErrorType}; the next scheduled run will try again")]
        public static partial void RunFailed(ILogger logger, string errorType);
    }
}
