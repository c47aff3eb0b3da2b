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

    /// <summary>A credential was added through the Graph-compatible endpoint.</summary>
    public const int GraphCredentialAdded = 8;

    /// <summary>A credential was removed through the Graph-compatible endpoint.</summary>
    public const int GraphCredentialRemoved = 9;

    /// <summary>A Graph request was refused.</summary>
    public const int GraphRequestRefused = 10;

    /// <summary>A Graph caller does not own the application.</summary>
    public const int GraphCallerNotOwner = 11;

    /// <summary>A proof of possession for addKey or removeKey was refused.</summary>
    public const int GraphProofRefused = 12;

    /// <summary>The development vault started.</summary>
    public const int VaultStarted = 13;

    /// <summary>A secret version was stored in the development vault.</summary>
    public const int VaultSecretSet = 14;
}
