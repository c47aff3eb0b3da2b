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

    /// <summary>
    /// The client ids that own this client's application registration: a caller whose access token (from this server,
    /// for <c>https://graph.microsoft.com</c>) names one of them may read and change the application's credentials through
    /// the Graph-compatible endpoint, as <c>Application.ReadWrite.OwnedBy</c> allows an owner in Entra ID. Nobody else may.
    /// </summary>
    public List<string> Owners { get; } = [];

    /// <summary>
    /// The application's object id (Graph's <c>id</c>, the <c>iss</c> of an addKey proof). When empty, a GUID derived
    /// from <see cref="ClientId"/>, so it is the same on every run.
    /// </summary>
    public string? ObjectId { get; set; }
}
