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
internal sealed partial class TokenAcquirer(CredentialServices services, ClientCredentialsClient client, ILogger<TokenAcquirer> logger)
{
    private static readonly TimeSpan CredentialRetryAfter = TimeSpan.FromSeconds(30);

    public async Task<AcquisitionResult> AcquireAsync(Connection connection, ScopeSet scopes, CancellationToken cancellationToken)
    {
        var configured = connection.Credential;
        ClientCredential credential;
        try
        {
            credential = await configured.GetAsync(services, cancellationToken);
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

        if (!configured.CanRotate)
        {
            Log.RefusedWithoutRotation(logger, connection.Name, configured.Kind, configured.Name, configured.RefusalHint);
            return result with { EverySecretRefused = true };
        }

        var tried = new HashSet<string>(StringComparer.Ordinal) { credential.Version };
        ClientCredential latest;
        try
        {
            latest = await configured.ReloadAsync(services, cancellationToken);
        }
        catch (ClientCredentialUnavailableException ex)
        {
            Log.ReloadFailed(logger, connection.Name, configured.Kind, configured.Name, ex.Reason);
            return result;
        }

        if (tried.Add(latest.Version))
        {
            Log.RetryingWithLatest(logger, connection.Name, configured.Kind, credential.Version, latest.Version);
            result = await client.RequestTokenAsync(connection, latest, scopes, cancellationToken);
            if (!IsInvalidClient(result))
            {
                return result;
            }
        }

        IReadOnlyList<ClientCredential> previous;
        try
        {
            previous = await configured.GetPreviousVersionsAsync(services, latest.Version, cancellationToken);
        }
        catch (ClientCredentialUnavailableException ex)
        {
            Log.ReloadFailed(logger, connection.Name, configured.Kind, configured.Name, ex.Reason);
            return result;
        }

        foreach (var candidate in previous.Where(p => tried.Add(p.Version)))
        {
            result = await client.RequestTokenAsync(connection, candidate, scopes, cancellationToken);
            if (result.Error is null)
            {
                Log.PreviousVersionAccepted(logger, connection.Name, configured.Kind, latest.Version, candidate.Version);
                configured.Pin(services, candidate);
                return result;
            }

            if (!IsInvalidClient(result))
            {
                return result;
            }
        }

        Log.EveryVersionRefused(logger, connection.Name, configured.Kind, configured.Name, tried.Count);
        return result with { EverySecretRefused = true };
    }

    private static bool IsInvalidClient(AcquisitionResult result) =>
        result.Error is { Kind: TokenErrorKind.UpstreamRejected, UpstreamError: "invalid_client" };

    private AcquisitionResult CredentialUnavailable(Connection connection, ClientCredentialUnavailableException ex)
    {
        var configured = connection.Credential;
        Log.CredentialUnavailable(logger, connection.Name, configured.Kind, configured.Name, ex.Reason);
        return AcquisitionResult.Failed(new TokenError(TokenErrorKind.SecretUnavailable, $"The client {configured.Kind} of connection '{connection.Name}' cannot be read.")
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

        [LoggerMessage(EventId = EventIds.RefusedWithoutRotation, Level = LogLevel.Error, Message = "Connection {Connection}: the {CredentialKind} {CredentialName} was refused with invalid_client; there is nothing to rotate. {Hint}")]
        public static partial void RefusedWithoutRotation(ILogger logger, string connection, string credentialKind, string credentialName, string hint);

        [LoggerMessage(EventId = EventIds.CredentialUnavailable, Level = LogLevel.Error, Message = "The {CredentialKind} {CredentialName} of connection {Connection} is unavailable: {Reason}")]
        public static partial void CredentialUnavailable(ILogger logger, string connection, string credentialKind, string credentialName, string reason);
    }
}
