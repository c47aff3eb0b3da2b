using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;

namespace TokenBroker.Operations;

/// <summary>
/// Makes an eviction on one instance take effect on all: each instance polls the connections' generation stamps and drops
/// the memory tier of any connection whose stamp moved, and its cached credential (a promoted rotation moves the stamp so
/// that every instance reads the new version and drops a pinned old one). One small query per interval, off the request path.
/// </summary>
internal sealed partial class EvictionWatcher(
    EvictionGenerations generations,
    MemoryTokenCache memory,
    TimeProvider time,
    IOptions<OperationsOptions> options,
    ILogger<EvictionWatcher> logger,
    ConnectionRegistry connections,
    CredentialCache credentials) : BackgroundService
{
    private Dictionary<string, long>? _known;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await CheckAsync(stoppingToken);
            await Task.Delay(options.Value.EvictionPollInterval, time, stoppingToken);
        }
    }

    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        // A failed read says nothing about the stamps: keep the last known ones, or the next good read would see every
        // connection's stamp "move" and drop every token on every instance.
        if (await generations.ReadAsync(cancellationToken) is not { } current)
        {
            return;
        }

        if (_known is not null)
        {
            foreach (var (partition, generation) in current)
            {
                if (_known.GetValueOrDefault(partition) != generation)
                {
                    var dropped = memory.RemoveConnection(partition);
                    foreach (var connection in connections.All.Where(c => c.DefaultCacheKey.PartitionKey == partition && c.Credential.VaultObject is not null))
                    {
                        credentials.Invalidate(connection.Credential.VaultObject!.Value.Name);
                    }

                    Log.Evicted(logger, partition, generation, dropped);
                }
            }
        }

        // The first read only learns the stamps: an instance that starts after an eviction has nothing stale to drop.
        _known = current;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.EvictionObserved, Level = LogLevel.Information, Message = "Connection {Connection} was evicted elsewhere (generation {Generation}); dropped {Dropped} tokens from memory")]
        public static partial void Evicted(ILogger logger, string connection, long generation, int dropped);
    }
}
