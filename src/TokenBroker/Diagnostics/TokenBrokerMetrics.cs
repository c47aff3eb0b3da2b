using System.Diagnostics.Metrics;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Credentials;

namespace TokenBroker.Diagnostics;

/// <summary>
/// The broker's meter. Tags are connection names and fixed outcome words: never a token, a secret or a caller-supplied string.
/// </summary>
internal sealed class TokenBrokerMetrics
{
    /// <summary>The meter's name, for OpenTelemetry's <c>AddMeter</c>.</summary>
    public const string MeterName = "TokenBroker";

    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _tokenRequests;
    private readonly Histogram<double> _tokenRequestDuration;
    private readonly Counter<long> _secretReloads;
    private readonly Counter<long> _certificateReloads;
    private readonly Counter<long> _storageFailures;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _leaseContention;
    private readonly Counter<long> _secretEvents;
    private readonly Counter<long> _unreadableEntities;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public TokenBrokerMetrics(IMeterFactory meterFactory, ConnectionRegistry connections, MemoryTokenCache memory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter(
            "tokenbroker.cache_hits",
            () => connections.All.SelectMany(c => new[]
            {
                new Measurement<long>(c.Counters.MemoryHits, new KeyValuePair<string, object?>("connection", c.Name), new KeyValuePair<string, object?>("tier", "memory")),
                new Measurement<long>(c.Counters.TableHits, new KeyValuePair<string, object?>("connection", c.Name), new KeyValuePair<string, object?>("tier", "table")),
            }),
            "{hit}",
            "Tokens served from a cache tier (tag tier: memory or table).");
        _cacheMisses = meter.CreateCounter<long>("tokenbroker.cache_misses", "{miss}", "Requests that found no servable token in either tier.");
        _tokenRequests = meter.CreateCounter<long>("tokenbroker.token_requests", "{request}", "Token requests sent to authorization servers, by outcome.");
        _tokenRequestDuration = meter.CreateHistogram<double>("tokenbroker.token_request.duration", "s", "Duration of token requests to authorization servers, retries included.");
        _secretReloads = meter.CreateCounter<long>("tokenbroker.secret_reloads", "{reload}", "Secret reads from the secret source, by outcome.");
        _certificateReloads = meter.CreateCounter<long>("tokenbroker.certificate_reloads", "{reload}", "Certificate reads from Key Vault, by outcome.");
        _storageFailures = meter.CreateCounter<long>("tokenbroker.storage_failures", "{failure}", "Table Storage operations that failed and were skipped.");
        meter.CreateObservableGauge(
            "tokenbroker.token.time_left",
            () => TimeLeft(connections, memory, time),
            "s",
            "Seconds left on the soonest-expiring token each connection is serving from memory.");
        _refreshes = meter.CreateCounter<long>("tokenbroker.refreshes", "{refresh}", "Proactive refreshes, by outcome (success, same_token, failed, leased_elsewhere).");
        _leaseContention = meter.CreateCounter<long>("tokenbroker.lease_contention", "{attempt}", "Times an instance found another holding the lease on an entry.");
        _unreadableEntities = meter.CreateCounter<long>("tokenbroker.unreadable_entities", "{entity}", "Shared-tier entities that could not be read as written (wrong type, unknown format, tampered, expired), by operation; each is a miss.");
        _secretEvents = meter.CreateCounter<long>("tokenbroker.secret_events", "{event}", "Key Vault events received, by type (new_version, near_expiry, expired) and object (secret, certificate).");
    }

    internal static void MemoryHit(Connection connection) => connection.Counters.MemoryHit();

    internal static void TableHit(Connection connection) => connection.Counters.TableHit();

    internal void CacheMiss(string connection) =>
        _cacheMisses.Add(1, new KeyValuePair<string, object?>("connection", connection));

    internal void TokenRequested(string connection, string outcome, TimeSpan duration)
    {
        var connectionTag = new KeyValuePair<string, object?>("connection", connection);
        var outcomeTag = new KeyValuePair<string, object?>("outcome", outcome);
        _tokenRequests.Add(1, connectionTag, outcomeTag);
        _tokenRequestDuration.Record(duration.TotalSeconds, connectionTag, outcomeTag);
    }

    internal void StorageFailed(string operation) =>
        _storageFailures.Add(1, new KeyValuePair<string, object?>("operation", operation));

    internal void Refreshed(string connection, string outcome) =>
        _refreshes.Add(1, new KeyValuePair<string, object?>("connection", connection), new KeyValuePair<string, object?>("outcome", outcome));

    internal void LeaseContended(string connection) =>
        _leaseContention.Add(1, new KeyValuePair<string, object?>("connection", connection));

    internal void SecretEvent(string type, string objectType) =>
        _secretEvents.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("object", objectType));

    internal void UnreadableEntity(string operation) =>
        _unreadableEntities.Add(1, new KeyValuePair<string, object?>("operation", operation));

    /// <summary>Counts a read of a versioned credential from its source, as a certificate or (any other kind) a secret reload.</summary>
    internal void CredentialReloaded(string kind, string outcome) =>
        (kind == VaultObject.CertificateKind ? _certificateReloads : _secretReloads).Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private static IEnumerable<Measurement<double>> TimeLeft(ConnectionRegistry connections, MemoryTokenCache memory, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var soonest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (_, entry) in memory.Entries)
        {
            var partition = entry.Key.PartitionKey;
            if (!soonest.TryGetValue(partition, out var expires) || entry.Token.ExpiresOn < expires)
            {
                soonest[partition] = entry.Token.ExpiresOn;
            }
        }

        foreach (var connection in connections.All)
        {
            if (soonest.TryGetValue(connection.DefaultCacheKey.PartitionKey, out var expires))
            {
                yield return new Measurement<double>(Math.Max(0, (expires - now).TotalSeconds), new KeyValuePair<string, object?>("connection", connection.Name));
            }
        }
    }
}
