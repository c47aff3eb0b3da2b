namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>Every log event id of the development authorization server, in one list so that none is used twice.</summary>
internal static class EventIds
{
    public const int ServerStarted = 1;

    public const int NoClientsConfigured = 2;

    public const int ClientRegistered = 3;

    public const int SecretsChanged = 4;

    public const int SecretRejected = 5;

    public const int CertificatesChanged = 6;

    public const int AssertionReplayed = 7;
}
