using Microsoft.Extensions.Logging;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;

namespace TokenBroker.Acquisition;

/// <summary>
/// One token from the authorization server, surviving a credential rotation. On <c>invalid_client</c> (the OAuth error
/// field, never a vendor code) it re-reads the secret or certificate bypassing memory and retries if the version changed;
/// if the latest version is refused too, it tries previous versions that are still enabled (the overlap window, when ops
/// store the new credential before registering it) and pins the one that works. A federated assertion has no versions:
/// its refusal is reported as it is.
/// </summary>
internal sealed partial class TokenAcquirer(ClientCredentialStore credentials, ClientCredentialsClient client, ILogger<TokenAcquirer> logger)
{
    private static readonly TimeSpan CredentialRetryAfter = TimeSpan.FromSeconds(30);

    public async Task<AcquisitionResult> AcquireAsync(Connection connection, ScopeSet scopes, CancellationToken cancellationToken)
    {
        ClientCredential credential;
        try
        {
            credential = await credentials.GetAsync(connection, cancellationToken);
        }
        catch (ClientCredentialUnavailableException ex)
        {
            return CredentialUnavailable(connection, ex);
        }

        var result = await client.RequestTokenAsync(connection, credential, scopes, cancellationToken);
        if (!IsInvalidClient(result))
        {
            return result;
        }

        if (!ClientCredentialStore.CanRotate(connection))
        {
            Log.FederatedAssertionRefused(logger, connection.Name, connection.CredentialName);
            return result with { EverySecretRefused = true };
        }

        var tried = new HashSet<string>(StringComparer.Ordinal) { credential.Version };
        ClientCredential latest;
        try
        {
            latest = await credentials.ReloadAsync(connection, cancellationToken);
        }
        catch (ClientCredentialUnavailableException ex)
        {
            Log.ReloadFailed(logger, connection.Name, connection.CredentialKind, connection.CredentialName, ex.Reason);
            return result;
        }

        if (tried.Add(latest.Version))
        {
            Log.RetryingWithLatest(logger, connection.Name, connection.CredentialKind, credential.Version, latest.Version);
            result = await client.RequestTokenAsync(connection, latest, scopes, cancellationToken);
            if (!IsInvalidClient(result))
            {
                return result;
            }
        }

        IReadOnlyList<ClientCredential> previous;
        try
        {
            previous = await credentials.GetPreviousVersionsAsync(connection, latest.Version, cancellationToken);
        }
        catch (ClientCredentialUnavailableException ex)
        {
            Log.ReloadFailed(logger, connection.Name, connection.CredentialKind, connection.CredentialName, ex.Reason);
            return result;
        }

        foreach (var candidate in previous.Where(p => tried.Add(p.Version)))
        {
            result = await client.RequestTokenAsync(connection, candidate, scopes, cancellationToken);
            if (result.Error is null)
            {
                Log.PreviousVersionAccepted(logger, connection.Name, connection.CredentialKind, latest.Version, candidate.Version);
                credentials.Pin(connection, candidate);
                return result;
            }

            if (!IsInvalidClient(result))
            {
                return result;
            }
        }

        Log.EveryVersionRefused(logger, connection.Name, connection.CredentialKind, connection.CredentialName, tried.Count);
        return result with { EverySecretRefused = true };
    }

    private static bool IsInvalidClient(AcquisitionResult result) =>
        result.Error is { Kind: TokenErrorKind.UpstreamRejected, UpstreamError: "invalid_client" };

    private AcquisitionResult CredentialUnavailable(Connection connection, ClientCredentialUnavailableException ex)
    {
        Log.CredentialUnavailable(logger, connection.Name, connection.CredentialKind, connection.CredentialName, ex.Reason);
        return AcquisitionResult.Failed(new TokenError(TokenErrorKind.SecretUnavailable, $"The client {connection.CredentialKind} of connection '{connection.Name}' cannot be read.")
        {
            RetryAfter = CredentialRetryAfter,
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RetryingWithLatestCredential, Level = LogLevel.Warning, Message = "Connection {Connection}: {CredentialKind} version {OldVersion} refused (invalid_client); retrying with the latest version {NewVersion}")]
        public static partial void RetryingWithLatest(ILogger logger, string connection, string credentialKind, string oldVersion, string newVersion);

        [LoggerMessage(EventId = EventIds.PreviousVersionAccepted, Level = LogLevel.Warning, Message = "Connection {Connection}: latest {CredentialKind} version {LatestVersion} refused; previous version {CredentialVersion} accepted and kept in use (rotation overlap)")]
        public static partial void PreviousVersionAccepted(ILogger logger, string connection, string credentialKind, string latestVersion, string credentialVersion);

        [LoggerMessage(EventId = EventIds.EveryVersionRefused, Level = LogLevel.Error, Message = "Connection {Connection}: every candidate version of {CredentialKind} {CredentialName} ({Count}) was refused with invalid_client")]
        public static partial void EveryVersionRefused(ILogger logger, string connection, string credentialKind, string credentialName, int count);

        [LoggerMessage(EventId = EventIds.CredentialReloadFailed, Level = LogLevel.Warning, Message = "Connection {Connection}: could not re-read {CredentialKind} {CredentialName} after invalid_client: {Reason}")]
        public static partial void ReloadFailed(ILogger logger, string connection, string credentialKind, string credentialName, string reason);

        [LoggerMessage(EventId = EventIds.FederatedAssertionRefused, Level = LogLevel.Error, Message = "Connection {Connection}: the managed identity token for {FederationAudience} was refused with invalid_client; there is nothing to rotate. Check the app registration's federated identity credential (issuer, subject and audience of the broker's managed identity)")]
        public static partial void FederatedAssertionRefused(ILogger logger, string connection, string federationAudience);

        [LoggerMessage(EventId = EventIds.CredentialUnavailable, Level = LogLevel.Error, Message = "The {CredentialKind} {CredentialName} of connection {Connection} is unavailable: {Reason}")]
        public static partial void CredentialUnavailable(ILogger logger, string connection, string credentialKind, string credentialName, string reason);
    }
}
