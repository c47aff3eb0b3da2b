namespace TokenBroker.DevAuthorizationServer;

/// <summary>A confidential client application allowed to use the client credentials grant.</summary>
public sealed class DevClientRegistration
{
    /// <summary>The OAuth <c>client_id</c>.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>
    /// The secrets valid when the server starts. Like Microsoft Entra ID, several may be
    /// valid at once; rotate them at run time with <see cref="DevClientSecrets"/>.
    /// </summary>
    public List<string> Secrets { get; } = [];

    /// <summary>
    /// The certificates (PEM, public part only) whose keys may sign the client's <c>private_key_jwt</c> assertions when
    /// the server starts. Several may be valid at once; rotate them at run time with <see cref="DevClientCertificates"/>.
    /// </summary>
    public List<string> Certificates { get; } = [];

    /// <summary>The scopes the client may request; each is also registered as a server scope.</summary>
    public List<string> Scopes { get; } = [];
}
