using Microsoft.Extensions.Logging;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Coordination;
using TokenBroker.Diagnostics;
using TokenBroker.Secrets;

namespace TokenBroker.Rotation;

/// <summary>
/// Acts on Key Vault secret events delivered through the rotation queue. A new version drops the cached secret and
/// re-acquires the tokens of every connection using it, so the new secret is proven to work while the old one is still
/// valid; near-expiry and expiry are logged and counted for whoever watches the broker.
/// </summary>
public sealed partial class SecretEventProcessor
{
    private readonly ConnectionRegistry _connections;
    private readonly SecretCache _secrets;
    private readonly TableTokenStore _store;
    private readonly CoordinatedFetcher _fetcher;
    private readonly TokenBrokerService _broker;
    private readonly TokenBrokerMetrics _metrics;
    private readonly ILogger<SecretEventProcessor> _logger;

    internal SecretEventProcessor(
        ConnectionRegistry connections,
        SecretCache secrets,
        TableTokenStore store,
        CoordinatedFetcher fetcher,
        ITokenBroker broker,
        TokenBrokerMetrics metrics,
        ILogger<SecretEventProcessor> logger)
    {
        _connections = connections;
        _secrets = secrets;
        _store = store;
        _fetcher = fetcher;
        _broker = (TokenBrokerService)broker;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Handles one queue message.</summary>
    /// <exception cref="FormatException">The message is not an event: let the queue retry it and then move it to the poison queue.</exception>
    /// <exception cref="SecretRotationDeferredException">A re-acquisition failed transiently: let the queue deliver the message again.</exception>
    public async Task HandleAsync(BinaryData message, CancellationToken cancellationToken)
    {
        var events = SecretEventParser.Parse(message);
        foreach (var secretEvent in events)
        {
            await HandleAsync(secretEvent, cancellationToken);
        }
    }

    private async Task HandleAsync(SecretEvent secretEvent, CancellationToken cancellationToken)
    {
        var affected = _connections.All
            .Where(c => string.Equals(c.SecretName, secretEvent.SecretName, StringComparison.OrdinalIgnoreCase))
            .ToList();
        switch (secretEvent.Type)
        {
            case SecretEvent.NewVersionCreated:
                _metrics.SecretEvent("new_version");
                Log.NewVersion(_logger, secretEvent.SecretName, secretEvent.Version, affected.Count);
                foreach (var name in affected.Select(c => c.SecretName).Append(secretEvent.SecretName).Distinct(StringComparer.Ordinal))
                {
                    _secrets.Invalidate(name);
                }

                foreach (var connection in affected)
                {
                    await ReacquireAsync(connection, secretEvent, cancellationToken);
                }

                break;
            case SecretEvent.NearExpiry:
                _metrics.SecretEvent("near_expiry");
                Log.NearExpiry(_logger, secretEvent.SecretName, secretEvent.Version, secretEvent.ExpiresOn, string.Join(", ", affected.Select(c => c.Name)));
                break;
            case SecretEvent.Expired:
                _metrics.SecretEvent("expired");
                Log.Expired(_logger, secretEvent.SecretName, secretEvent.Version, string.Join(", ", affected.Select(c => c.Name)));
                break;
        }
    }

    private async Task ReacquireAsync(Connection connection, SecretEvent secretEvent, CancellationToken cancellationToken)
    {
        _fetcher.ClearLocalHolds(connection);
        var scopeSets = new HashSet<ScopeSet> { connection.DefaultScopes };
        await foreach (var entry in _store.ListAsync(cancellationToken))
        {
            if (entry.PartitionKey == connection.DefaultCacheKey.PartitionKey && ScopeSet.TryParse(entry.RequestedScope, out var scopes, out _))
            {
                scopes = scopes.IsSubsetOf(connection.AllowedScopes) ? scopes : connection.DefaultScopes;
                scopeSets.Add(scopes);
            }
        }

        var transient = false;
        foreach (var scopes in scopeSets)
        {
            var result = await _broker.RefreshAsync(connection, scopes, FetchMode.Forced, cancellationToken);
            if (result.Result.Succeeded)
            {
                var version = result.Result.Token.SecretVersion;
                if (string.Equals(version, secretEvent.Version, StringComparison.Ordinal))
                {
                    Log.NewVersionProven(_logger, connection.Name, secretEvent.SecretName, version);
                }
                else
                {
                    Log.NewVersionNotUsed(_logger, connection.Name, secretEvent.SecretName, secretEvent.Version, version);
                }
            }
            else
            {
                var error = result.Result.Error!;
                transient |= error.Kind is TokenErrorKind.UpstreamUnavailable or TokenErrorKind.SecretUnavailable;
                Log.ReacquireFailed(_logger, connection.Name, secretEvent.SecretName, error.Kind.ToString(), error.UpstreamError ?? string.Empty);
            }
        }

        if (transient)
        {
            throw new SecretRotationDeferredException(connection.Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Key Vault: new version {SecretVersion} of secret {SecretName}; re-acquiring tokens of {Count} connection(s)")]
        public static partial void NewVersion(ILogger logger, string secretName, string secretVersion, int count);

        [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Connection {Connection}: new version {SecretVersion} of secret {SecretName} works")]
        public static partial void NewVersionProven(ILogger logger, string connection, string secretName, string secretVersion);

        [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Connection {Connection}: new version {NewVersion} of secret {SecretName} is not accepted yet; version {SecretVersion} stays in use. Register the new secret at the authorization server before revoking the old one")]
        public static partial void NewVersionNotUsed(ILogger logger, string connection, string secretName, string newVersion, string secretVersion);

        [LoggerMessage(EventId = 6004, Level = LogLevel.Error, Message = "Connection {Connection}: re-acquiring with the new version of secret {SecretName} failed: {Kind} {UpstreamError}")]
        public static partial void ReacquireFailed(ILogger logger, string connection, string secretName, string kind, string upstreamError);

        [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "Key Vault: secret {SecretName} version {SecretVersion} expires {ExpiresOn:O}; connections: {Connections}. Rotate it")]
        public static partial void NearExpiry(ILogger logger, string secretName, string secretVersion, DateTimeOffset? expiresOn, string connections);

        [LoggerMessage(EventId = 6006, Level = LogLevel.Error, Message = "Key Vault: secret {SecretName} version {SecretVersion} has expired; connections: {Connections}")]
        public static partial void Expired(ILogger logger, string secretName, string secretVersion, string connections);
    }
}
