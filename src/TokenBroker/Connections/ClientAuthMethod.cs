namespace TokenBroker.Connections;

/// <summary>How the broker authenticates to a connection's authorization server (RFC 6749 §2.3).</summary>
internal enum ClientAuthMethod
{
    /// <summary>Client id and secret in an HTTP Basic <c>Authorization</c> header (RFC 6749 §2.3.1). The default.</summary>
    ClientSecretBasic,

    /// <summary>Client id and secret as form fields in the request body (RFC 6749 §2.3.1).</summary>
    ClientSecretPost,

    /// <summary>A JWT client assertion signed with a certificate's private key (RFC 7523 §2.2, RFC 7521 §4.2).</summary>
    PrivateKeyJwt,

    /// <summary>
    /// Microsoft Entra ID workload identity federation: the broker's own managed identity token is the client assertion,
    /// so no secret or private key exists for the connection at all.
    /// </summary>
    ManagedIdentityFederation,
}
