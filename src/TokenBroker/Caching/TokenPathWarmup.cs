using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Caching;

/// <summary>
/// Does, once and in the background while the web server starts, what a new instance's first request would otherwise do
/// on its caller's time: a point read of one connection's entry in the shared tier and the opening of its sealed token
/// (the table client's first entity read, the entity's parsing, the cache key's use and AES-GCM), and a lookup in the
/// memory tier, so the code is compiled and the connection open when the first caller comes. It reads and forgets: it
/// writes nothing to the table or to memory, delivers nothing, so it counts as no caller's use, and logs no value. It
/// starts only once the start-up checks found the key read and the table answering (<see cref="SharedTierCheck.Ready"/>),
/// so a vault or table that is down costs it nothing and it never adds a read of the cache key; it never delays start-up
/// and never fails it.
/// </summary>
internal sealed partial class TokenPathWarmup(
    SharedTierCheck check,
    ConnectionRegistry connections,
    TableTokenStore store,
    MemoryTokenCache memory,
    TimeProvider time,
    ILogger<TokenPathWarmup> logger) : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The warm-up's run: completes (never faults) when it has warmed the path or given up.</summary>
    internal Task<TokenPathWarmupOutcome> Completion { get; private set; } = Task.FromResult(TokenPathWarmupOutcome.Skipped);

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // Off the start-up thread from the first instruction: nothing here may hold a hosted service or the listener.
        Completion = Task.Run(() => WarmAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => _stopping.CancelAsync();

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    private async Task<TokenPathWarmupOutcome> WarmAsync(CancellationToken cancellationToken)
    {
        var reading = false;
        try
        {
            if (!await check.Ready.WaitAsync(cancellationToken))
            {
                Log.Skipped(logger, "the shared tier is not usable yet");
                return TokenPathWarmupOutcome.Skipped;
            }

            if (connections.All.FirstOrDefault() is not { } connection)
            {
                Log.Skipped(logger, "no connection is configured");
                return TokenPathWarmupOutcome.Skipped;
            }

            var started = time.GetTimestamp();
            var key = connection.DefaultCacheKey;
            _ = memory.TryGet(key, time.GetUtcNow(), out _);

            // Read and dropped: the token, if any, reaches memory only when a caller asks for it.
            reading = true;
            var read = await store.ReadAsync(key, cancellationToken);
            var outcome = read.Entry?.Token is null ? TokenPathWarmupOutcome.Read : TokenPathWarmupOutcome.Opened;
            var elapsed = time.GetElapsedTime(started);
            Log.Warmed(logger, connection.Name, read.Status, outcome, elapsed.TotalMilliseconds);
            return outcome;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.Skipped(logger, ex is OperationCanceledException ? "the host is stopping" : ex.GetType().Name);
            return reading ? TokenPathWarmupOutcome.Read : TokenPathWarmupOutcome.Skipped;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.TokenPathWarmed, Level = LogLevel.Debug, Message = "Token path warmed at start-up on connection {Connection}'s shared entry ({Status}, {Outcome}) in {ElapsedMs:F1} ms")]
        public static partial void Warmed(ILogger logger, string connection, StoredReadStatus status, TokenPathWarmupOutcome outcome, double elapsedMs);

        [LoggerMessage(EventId = EventIds.TokenPathWarmupSkipped, Level = LogLevel.Debug, Message = "Token path not warmed at start-up: {Reason}")]
        public static partial void Skipped(ILogger logger, string reason);
    }
}
