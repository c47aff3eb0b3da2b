namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>Every log message of the development authorization server; no secret or token appears in any.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = EventIds.ServerStarted, Level = LogLevel.Warning,
        Message = "Development OAuth 2.0 authorization server listening on {Addresses}. It is for local runs and tests only: never deploy it.")]
    public static partial void ServerStarted(this ILogger logger, string addresses);

    [LoggerMessage(EventId = EventIds.NoClientsConfigured, Level = LogLevel.Warning,
        Message = "No client is configured under DevAuthorizationServer:Clients, so every token request will fail.")]
    public static partial void NoClientsConfigured(this ILogger logger);

    [LoggerMessage(EventId = EventIds.ClientRegistered, Level = LogLevel.Information,
        Message = "Registered client {ClientId} with scopes {Scopes}, {SecretCount} secret(s) and {CertificateCount} certificate(s).")]
    public static partial void ClientRegistered(this ILogger logger, string clientId, IEnumerable<string> scopes, int secretCount, int certificateCount);

    [LoggerMessage(EventId = EventIds.SecretsChanged, Level = LogLevel.Information,
        Message = "Client {ClientId} now has {SecretCount} valid secret(s).")]
    public static partial void SecretsChanged(this ILogger logger, string clientId, int secretCount);

    [LoggerMessage(EventId = EventIds.SecretRejected, Level = LogLevel.Information,
        Message = "Client {ClientId} presented a secret that is not one of its current secrets.")]
    public static partial void SecretRejected(this ILogger logger, string clientId);

    [LoggerMessage(EventId = EventIds.CertificatesChanged, Level = LogLevel.Information,
        Message = "Client {ClientId} now has {CertificateCount} trusted certificate(s).")]
    public static partial void CertificatesChanged(this ILogger logger, string clientId, int certificateCount);

    [LoggerMessage(EventId = EventIds.AssertionReplayed, Level = LogLevel.Information,
        Message = "Client {ClientId} presented a client assertion whose jti was already used.")]
    public static partial void AssertionReplayed(this ILogger logger, string clientId);

    [LoggerMessage(EventId = EventIds.GraphCredentialAdded, Level = LogLevel.Information,
        Message = "Graph: added {CredentialKind} credential {KeyId} to application {AppId}; the token endpoint accepts it from {UsableFrom:O}.")]
    public static partial void GraphCredentialAdded(this ILogger logger, string credentialKind, Guid keyId, string appId, DateTimeOffset usableFrom);

    [LoggerMessage(EventId = EventIds.GraphCredentialRemoved, Level = LogLevel.Information,
        Message = "Graph: removed {CredentialKind} credential {KeyId} from application {AppId}.")]
    public static partial void GraphCredentialRemoved(this ILogger logger, string credentialKind, Guid keyId, string appId);

    [LoggerMessage(EventId = EventIds.GraphRequestRefused, Level = LogLevel.Information,
        Message = "Graph: {Method} {Path} refused with {Status} {Code}.")]
    public static partial void GraphRequestRefused(this ILogger logger, string method, PathString path, int status, string code);

    [LoggerMessage(EventId = EventIds.GraphCallerNotOwner, Level = LogLevel.Information,
        Message = "Graph: caller {Caller} does not own application {AppId}.")]
    public static partial void GraphCallerNotOwner(this ILogger logger, string caller, string appId);

    [LoggerMessage(EventId = EventIds.GraphProofRefused, Level = LogLevel.Information,
        Message = "Graph: a proof of possession for application {AppId} was refused.")]
    public static partial void GraphProofRefused(this ILogger logger, string appId);

    [LoggerMessage(EventId = EventIds.VaultStarted, Level = LogLevel.Information,
        Message = "Vault: serving {SecretCount} secrets at {VaultUri}; TLS certificate written to {CertificatePath}.")]
    public static partial void VaultStarted(this ILogger logger, int secretCount, string vaultUri, string certificatePath);

    [LoggerMessage(EventId = EventIds.VaultSecretSet, Level = LogLevel.Information,
        Message = "Vault: stored version {Version} of secret {Name}.")]
    public static partial void VaultSecretSet(this ILogger logger, string name, string version);
}
