using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Access;
using TokenBroker.Audit;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Coordination;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;
using TokenBroker.Lifecycle.Inventory;
using TokenBroker.Lifecycle.Rotation;
using TokenBroker.Secrets;

namespace TokenBroker.Operations;

/// <summary>
/// What operators can do: see every connection's cache status, force a refresh, and evict a connection's tokens on every
/// instance. Admitted are callers holding the admin app role, and holders of the admin key (a secret, so it rotates like one).
/// </summary>
public sealed partial class OperationsService
{
    private readonly ConnectionRegistry _connections;
    private readonly TableTokenStore _store;
    private readonly EvictionGenerations _generations;
    private readonly MemoryTokenCache _memory;
    private readonly CoordinatedFetcher _fetcher;
    private readonly TokenBrokerService _broker;
    private readonly CredentialCache _credentials;
    private readonly CallerAuthenticator _callers;
    private readonly TimeProvider _time;
    private readonly OperationsOptions _options;
    private readonly ILogger<OperationsService> _logger;
    private readonly AuditTrail _audit;
    private readonly SharedTierState _sharedTier;
    private readonly SharedTierCheck _sharedTierCheck;
    private readonly RotationStore _rotations;
    private readonly RotationRunner _rotation;
    private readonly InventoryView? _inventory;

    internal OperationsService(
        ConnectionRegistry connections,
        TableTokenStore store,
        EvictionGenerations generations,
        MemoryTokenCache memory,
        CoordinatedFetcher fetcher,
        TokenBrokerService broker,
        CredentialCache credentials,
        CallerAuthenticator callers,
        TimeProvider time,
        IOptions<OperationsOptions> options,
        AuditTrail audit,
        ILogger<OperationsService> logger,
        SharedTierState sharedTier,
        SharedTierCheck sharedTierCheck,
        RotationStore rotations,
        RotationRunner rotation,
        InventoryView? inventory = null)
    {
        _audit = audit;
        _connections = connections;
        _store = store;
        _generations = generations;
        _memory = memory;
        _fetcher = fetcher;
        _broker = broker;
        _credentials = credentials;
        _callers = callers;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _sharedTier = sharedTier;
        _sharedTierCheck = sharedTierCheck;
        _rotations = rotations;
        _rotation = rotation;
        _inventory = inventory;
    }

    /// <summary>Whether <paramref name="caller"/> (or the key it presented) may use the operations endpoints.</summary>
    internal async Task<AdminCheck> CheckAdminAsync(Caller caller, string? presentedKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Mode == CallerMode.Development || caller.HasRole(_callers.AdminRole))
        {
            return AdminCheck.Admitted;
        }

        if (string.IsNullOrEmpty(presentedKey) || presentedKey.Length > 512)
        {
            return AdminCheck.Refused;
        }

        try
        {
            var expected = await _credentials.GetSecretAsync(_options.AdminKeySecretName, cancellationToken);
            return CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey)),
                SHA256.HashData(Encoding.UTF8.GetBytes(expected.Value)))
                ? AdminCheck.Admitted
                : AdminCheck.Refused;
        }
        catch (SecretUnavailableException ex) when (ex.IsVaultFailure)
        {
            // Refusing here would tell an operator with the right key, during an outage, that the key is wrong.
            Log.AdminKeyUnavailable(_logger, _options.AdminKeySecretName, ex.Reason);
            return AdminCheck.KeyUnavailable;
        }
        catch (SecretUnavailableException)
        {
            // No admin key is configured (or it is disabled or empty): only the admin role admits.
            return AdminCheck.Refused;
        }
    }

    /// <summary>Every connection and its cache entries.</summary>
    internal async Task<IReadOnlyList<ConnectionStatus>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = new Dictionary<string, List<CacheEntryStatus>>(StringComparer.Ordinal);
        var now = _time.GetUtcNow();
        if (_sharedTier.Status != "no_cache_key")
        {
            // Operators look here when something is wrong: show the table as it answers now, not as it did at start-up.
            await _sharedTierCheck.ProbeTableAsync(keyUsable: true, cancellationToken);
        }

        await foreach (var entry in _store.ListAsync(cancellationToken))
        {
            var held = Latest(entry.RejectedUntil, entry.RetryAfterUntil);
            var status = new CacheEntryStatus(
                entry.RequestedScope,
                entry.Metadata?.ExpiresOn,
                entry.Metadata?.AcquiredOn,
                entry.RefreshAt,
                entry.LastRequestedOn,
                entry.Metadata?.SecretVersion,
                entry.LastError,
                held > now ? held : null);
            if (!entries.TryGetValue(entry.PartitionKey, out var list))
            {
                entries[entry.PartitionKey] = list = [];
            }

            list.Add(status);
        }

        // From the table (cached briefly), never from Graph or Key Vault: the listing stays cheap and works when they are down.
        var inventory = _inventory is null ? InventorySnapshot.Empty : await _inventory.GetAsync(cancellationToken);
        var rotations = await ListRotationsAsync(cancellationToken);
        return [.. _connections.All
            .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
            .Select(c => new ConnectionStatus(
                c.Name,
                c.TokenEndpoint.AbsoluteUri,
                c.ClientId,
                ClientAuthMethodNames.ToName(c.AuthMethod),
                entries.GetValueOrDefault(c.DefaultCacheKey.PartitionKey) ?? [],
                _audit.HoldersOf(_memory, c.DefaultCacheKey.PartitionKey, now),
                _sharedTier.Status,
                CredentialStatus.From(inventory.For(c), now),
                rotations.TryGetValue(c.Name, out var rotation) ? RotationStatus.From(rotation) : null))];
    }

    /// <summary>Plans an automatic rotation of the connection now; the next refresh run starts it.</summary>
    internal Task<(PlanOutcome Outcome, RotationRecord? Row)> RotateAsync(string connection, CancellationToken cancellationToken) =>
        _rotation.PlanNowAsync(connection, cancellationToken);

    private async Task<Dictionary<string, RotationRecord>> ListRotationsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _rotations.ListAsync(cancellationToken);
        }
        catch (Exception ex) when (StoreDiagnostics.IsStorageFailure(ex, cancellationToken))
        {
            // The listing shows the shared tier's state already; the rest of it is still worth seeing.
            return [];
        }
    }

    /// <summary>Fetches new tokens for every cached scope set of a connection now; null when there is no such connection.</summary>
    internal async Task<IReadOnlyList<TokenResult>?> RefreshAsync(string connection, CancellationToken cancellationToken)
    {
        if (!ConnectionName.IsValid(connection) || !_connections.TryGet(connection, out var target))
        {
            return null;
        }

        var results = await _broker.ForceRefreshAsync(target, cancellationToken);

        Log.Refreshed(_logger, target.Name, results.Count, results.Count(r => r.Succeeded));
        return results;
    }

    /// <summary>
    /// Drops a connection's tokens everywhere: the shared entries, this instance's memory, and, through the generation
    /// stamp every instance polls, every other instance's memory within <see cref="OperationsOptions.EvictionPollInterval"/>.
    /// </summary>
    internal async Task<bool> EvictAsync(string connection, CancellationToken cancellationToken)
    {
        if (!ConnectionName.IsValid(connection) || !_connections.TryGet(connection, out var target))
        {
            return false;
        }

        var partition = target.DefaultCacheKey.PartitionKey;
        var generation = await _generations.BumpAsync(partition, cancellationToken);
        var deleted = await _store.DeleteConnectionAsync(partition, cancellationToken);
        var dropped = _memory.RemoveConnection(partition);
        _fetcher.ClearLocalHolds(target);
        Log.Evicted(_logger, target.Name, generation, deleted, dropped);
        return true;
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a > b ? a : b ?? a;

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.AdminKeyUnavailable, Level = LogLevel.Warning, Message = "Operations: the admin key {SecretName} could not be read to check a caller ({Reason}); the caller is told to retry")]
        public static partial void AdminKeyUnavailable(ILogger logger, string secretName, string reason);

        [LoggerMessage(EventId = EventIds.OperatorRefreshed, Level = LogLevel.Warning, Message = "Operations: refreshed connection {Connection}: {Succeeded} of {Count} scope sets succeeded")]
        public static partial void Refreshed(ILogger logger, string connection, int count, int succeeded);

        [LoggerMessage(EventId = EventIds.OperatorEvicted, Level = LogLevel.Warning, Message = "Operations: evicted connection {Connection} (generation {Generation}): {Deleted} shared entries deleted, {Dropped} dropped from this instance's memory")]
        public static partial void Evicted(ILogger logger, string connection, long generation, int deleted, int dropped);
    }
}
