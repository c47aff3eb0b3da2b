using Microsoft.Extensions.Logging;
using TokenBroker.Connections;
using TokenBroker.Secrets;

namespace TokenBroker.Acquisition;

/// <summary>
/// One token from the authorization server, surviving a secret rotation. On <c>invalid_client</c> (the OAuth error
/// field, never a vendor code) it re-reads the secret bypassing memory and retries if the version changed; if the
/// latest version is refused too, it tries previous versions that are still enabled (the overlap window, when ops store
/// the new secret before registering it) and pins the one that works.
/// </summary>
internal sealed partial class TokenAcquirer(SecretCache secrets, ClientCredentialsClient client, ILogger<TokenAcquirer> logger)
{
    private static readonly TimeSpan SecretRetryAfter = TimeSpan.FromSeconds(30);

    public async Task<AcquisitionResult> AcquireAsync(Connection connection, ScopeSet scopes, CancellationToken cancellationToken)
    {
        ClientSecret secret;
        try
        {
            secret = await secrets.GetAsync(connection.SecretName, cancellationToken);
        }
        catch (SecretUnavailableException ex)
        {
            return SecretUnavailable(connection, ex);
        }

        var result = await client.RequestTokenAsync(connection, secret, scopes, cancellationToken);
        if (!IsInvalidClient(result))
        {
            return result;
        }

        var tried = new HashSet<string>(StringComparer.Ordinal) { secret.Version };
        ClientSecret latest;
        try
        {
            latest = await secrets.ReloadAsync(connection.SecretName, cancellationToken);
        }
        catch (SecretUnavailableException ex)
        {
            Log.ReloadFailed(logger, connection.Name, connection.SecretName, ex.Reason);
            return result;
        }

        if (tried.Add(latest.Version))
        {
            Log.RetryingWithLatest(logger, connection.Name, secret.Version, latest.Version);
            result = await client.RequestTokenAsync(connection, latest, scopes, cancellationToken);
            if (!IsInvalidClient(result))
            {
                return result;
            }
        }

        IReadOnlyList<ClientSecret> previous;
        try
        {
            previous = await secrets.GetPreviousVersionsAsync(connection.SecretName, latest.Version, cancellationToken);
        }
        catch (SecretUnavailableException ex)
        {
            Log.ReloadFailed(logger, connection.Name, connection.SecretName, ex.Reason);
            return result;
        }

        foreach (var candidate in previous.Where(p => tried.Add(p.Version)))
        {
            result = await client.RequestTokenAsync(connection, candidate, scopes, cancellationToken);
            if (result.Error is null)
            {
                Log.PreviousVersionAccepted(logger, connection.Name, latest.Version, candidate.Version);
                secrets.Pin(connection.SecretName, candidate);
                return result;
            }

            if (!IsInvalidClient(result))
            {
                return result;
            }
        }

        Log.EverySecretRefused(logger, connection.Name, connection.SecretName, tried.Count);
        return result with { EverySecretRefused = true };
    }

    private static bool IsInvalidClient(AcquisitionResult result) =>
        result.Error is { Kind: TokenErrorKind.UpstreamRejected, UpstreamError: "invalid_client" };

    private AcquisitionResult SecretUnavailable(Connection connection, SecretUnavailableException ex)
    {
        Log.SecretUnavailable(logger, connection.Name, connection.SecretName, ex.Reason);
        return AcquisitionResult.Failed(new TokenError(TokenErrorKind.SecretUnavailable, $"The client secret of connection '{connection.Name}' cannot be read.")
        {
            RetryAfter = SecretRetryAfter,
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Connection {Connection}: secret version {OldVersion} refused (invalid_client); retrying with the latest version {NewVersion}")]
        public static partial void RetryingWithLatest(ILogger logger, string connection, string oldVersion, string newVersion);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Connection {Connection}: latest secret version {LatestVersion} refused; previous version {SecretVersion} accepted and kept in use (rotation overlap)")]
        public static partial void PreviousVersionAccepted(ILogger logger, string connection, string latestVersion, string secretVersion);

        [LoggerMessage(EventId = 1203, Level = LogLevel.Error, Message = "Connection {Connection}: every candidate version of secret {SecretName} ({Count}) was refused with invalid_client")]
        public static partial void EverySecretRefused(ILogger logger, string connection, string secretName, int count);

        [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Connection {Connection}: could not re-read secret {SecretName} after invalid_client: {Reason}")]
        public static partial void ReloadFailed(ILogger logger, string connection, string secretName, string reason);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Secret {SecretName} of connection {Connection} is unavailable: {Reason}")]
        public static partial void SecretUnavailable(ILogger logger, string connection, string secretName, string reason);
    }
}
