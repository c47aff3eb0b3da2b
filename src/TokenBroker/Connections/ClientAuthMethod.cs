namespace TokenBroker.Connections;

/// <summary>How the broker authenticates to a connection's authorization server (RFC 6749 §2.3).</summary>
public enum ClientAuthMethod
{
    /// <summary>Client id and secret in an HTTP Basic <c>Authorization</c> header (RFC 6749 §2.3.1). The default.</summary>
    ClientSecretBasic,

    /// <summary>Client id and secret as form fields in the request body (RFC 6749 §2.3.1).</summary>
    ClientSecretPost,
}
