using Microsoft.Extensions.Logging;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Coordination;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;

namespace TokenBroker.Rotation;

/// <summary>
/// Acts on Key Vault secret and certificate events delivered through the rotation queue. A new version drops the cached
/// secret or certificate and re-acquires the tokens of every connection using it, so the new version is proven to work
/// while the old one is still valid; near-expiry and expiry are logged and counted for whoever watches the broker. A new
/// certificate version also creates a new version of the certificate's secret, so both events may arrive: either one is
/// enough, and the second only re-proves the same version.
/// </summary>
public sealed partial class SecretEventProcessor
{
    private readonly ConnectionRegistry _connections;
    private readonly CredentialCache _credentials;
    private readonly TokenBrokerService _broker;
    private readonly TokenBrokerMetrics _metrics;
    private readonly ILogger<SecretEventProcessor> _logger;
    private readonly Uri? _vault;

    internal SecretEventProcessor(
        ConnectionRegistry connections,
        CredentialCache credentials,
        TokenBrokerService broker,
        TokenBrokerMetrics metrics,
        ILogger<SecretEventProcessor> logger,
        Uri? vault = null)
    {
        _vault = vault;
        _connections = connections;
        _credentials = credentials;
        _broker = broker;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Handles one queue message.</summary>
    /// <exception cref="FormatException">The message is not an event: let the queue retry it and then move it to the poison queue.</exception>
    /// <exception cref="SecretRotationDeferredException">A re-acquisition failed transiently: let the queue deliver the message again.</exception>
    internal async Task HandleAsync(BinaryData message, CancellationToken cancellationToken)
    {
        var events = SecretEventParser.Parse(message);
        foreach (var secretEvent in events)
        {
            await HandleAsync(secretEvent, cancellationToken);
        }
    }

    private async Task HandleAsync(SecretEvent secretEvent, CancellationToken cancellationToken)
    {
        // Anyone who can write the queue could otherwise force refreshes (past the rejection hold) with made-up events
        // about another vault's objects of the same name. Without a configured vault (local secrets) nothing is matched.
        if (_vault is not null && !IsConfiguredVault(secretEvent.Vault))
        {
            Log.OtherVault(_logger, secretEvent.Vault, secretEvent.SecretName);
            return;
        }

        // By name only, whatever the event's object type: a certificate's secret carries the certificate's name.
        var affected = _connections.All.Where(c => c.Credential.IsStoredAs(secretEvent.SecretName)).ToList();
        var objectType = secretEvent.IsCertificate ? "certificate" : "secret";
        switch (secretEvent.Type)
        {
            case SecretEvent.NewVersionCreated or SecretEvent.CertificateNewVersionCreated:
                _metrics.SecretEvent("new_version", objectType);
                Log.NewVersion(_logger, objectType, secretEvent.SecretName, secretEvent.Version, affected.Count);
                _credentials.Invalidate(secretEvent.SecretName);

                foreach (var connection in affected)
                {
                    await ReacquireAsync(connection, secretEvent, cancellationToken);
                }

                break;
            case SecretEvent.NearExpiry or SecretEvent.CertificateNearExpiry:
                _metrics.SecretEvent("near_expiry", objectType);
                Log.NearExpiry(_logger, objectType, secretEvent.SecretName, secretEvent.Version, secretEvent.ExpiresOn, string.Join(", ", affected.Select(c => c.Name)));
                break;
            case SecretEvent.Expired or SecretEvent.CertificateExpired:
                _metrics.SecretEvent("expired", objectType);
                Log.Expired(_logger, objectType, secretEvent.SecretName, secretEvent.Version, string.Join(", ", affected.Select(c => c.Name)));
                break;
        }
    }

    private async Task ReacquireAsync(Connection connection, SecretEvent secretEvent, CancellationToken cancellationToken)
    {
        var transient = false;
        foreach (var result in await _broker.ForceRefreshAsync(connection, cancellationToken))
        {
            if (result.Succeeded)
            {
                var version = result.Token.SecretVersion;
                if (string.Equals(version, secretEvent.Version, StringComparison.Ordinal))
                {
                    Log.NewVersionProven(_logger, connection.Name, connection.Credential.Kind, secretEvent.SecretName, version);
                }
                else
                {
                    Log.NewVersionNotUsed(_logger, connection.Name, connection.Credential.Kind, secretEvent.SecretName, secretEvent.Version, version);
                }
            }
            else
            {
                var error = result.Error;
                transient |= error.Kind is TokenErrorKind.UpstreamUnavailable or TokenErrorKind.SecretUnavailable;
                Log.ReacquireFailed(_logger, connection.Name, connection.Credential.Kind, secretEvent.SecretName, error.Kind.ToString(), error.UpstreamError ?? string.Empty);
            }
        }

        if (transient)
        {
            throw new SecretRotationDeferredException(connection.Name);
        }
    }

    // Event Grid names the vault by name; the broker knows its URI, whose first host label is that name.
    private bool IsConfiguredVault(string? vaultName) =>
        !string.IsNullOrEmpty(vaultName)
        && (string.Equals(vaultName, _vault!.Host.Split('.')[0], StringComparison.OrdinalIgnoreCase)
            || string.Equals(vaultName, _vault.Host, StringComparison.OrdinalIgnoreCase));

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.EventFromOtherVault, Level = LogLevel.Warning, Message = "Key Vault event from vault {Vault} about {ObjectName} ignored: it is not the configured vault")]
        public static partial void OtherVault(ILogger logger, string? vault, string objectName);

        [LoggerMessage(EventId = EventIds.NewCredentialVersion, Level = LogLevel.Information, Message = "Key Vault: new version {ObjectVersion} of {ObjectType} {ObjectName}; re-acquiring tokens of {Count} connection(s)")]
        public static partial void NewVersion(ILogger logger, string objectType, string objectName, string objectVersion, int count);

        [LoggerMessage(EventId = EventIds.NewVersionProven, Level = LogLevel.Information, Message = "Connection {Connection}: new version {CredentialVersion} of {CredentialKind} {CredentialName} works")]
        public static partial void NewVersionProven(ILogger logger, string connection, string credentialKind, string credentialName, string credentialVersion);

        [LoggerMessage(EventId = EventIds.NewVersionNotAcceptedYet, Level = LogLevel.Warning, Message = "Connection {Connection}: new version {NewVersion} of {CredentialKind} {CredentialName} is not accepted yet; version {CredentialVersion} stays in use. Register it at the authorization server before revoking the old one")]
        public static partial void NewVersionNotUsed(ILogger logger, string connection, string credentialKind, string credentialName, string newVersion, string credentialVersion);

        [LoggerMessage(EventId = EventIds.ReacquireFailed, Level = LogLevel.Error, Message = "Connection {Connection}: re-acquiring with the new version of {CredentialKind} {CredentialName} failed: {Kind} {UpstreamError}")]
        public static partial void ReacquireFailed(ILogger logger, string connection, string credentialKind, string credentialName, string kind, string upstreamError);

        [LoggerMessage(EventId = EventIds.CredentialNearExpiry, Level = LogLevel.Warning, Message = "Key Vault: {ObjectType} {ObjectName} version {ObjectVersion} expires {ExpiresOn:O}; connections: {Connections}. Rotate it")]
        public static partial void NearExpiry(ILogger logger, string objectType, string objectName, string objectVersion, DateTimeOffset? expiresOn, string connections);

        [LoggerMessage(EventId = EventIds.CredentialExpired, Level = LogLevel.Error, Message = "Key Vault: {ObjectType} {ObjectName} version {ObjectVersion} has expired; connections: {Connections}")]
        public static partial void Expired(ILogger logger, string objectType, string objectName, string objectVersion, string connections);
    }
}
