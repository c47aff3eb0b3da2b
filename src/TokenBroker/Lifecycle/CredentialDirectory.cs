namespace TokenBroker.Lifecycle;

/// <summary>Where, besides Key Vault, the broker can see a connection's credentials.</summary>
internal enum CredentialDirectory
{
    /// <summary>Nowhere: the authorization server is not one the broker can query, so only the Key Vault side is known.</summary>
    None,

    /// <summary>Microsoft Entra ID: the client id is an app registration, read and managed through Microsoft Graph.</summary>
    EntraId,
}
