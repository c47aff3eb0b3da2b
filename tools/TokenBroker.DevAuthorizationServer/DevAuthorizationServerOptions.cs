namespace TokenBroker.DevAuthorizationServer;

/// <summary>
/// Settings of the development authorization server, bound from the
/// <c>DevAuthorizationServer</c> configuration section.
/// </summary>
public sealed class DevAuthorizationServerOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "DevAuthorizationServer";

    /// <summary>
    /// Client applications registered when the server starts. Each may use
    /// <c>client_secret_basic</c> or <c>client_secret_post</c> with any of its secrets, or
    /// <c>private_key_jwt</c> with an assertion signed by any of its certificates (OpenIddict 7:
    /// <c>aud</c> is the issuer, <c>typ</c> is <c>client-authentication+jwt</c>; each <c>jti</c> once).
    /// </summary>
    public List<DevClientRegistration> Clients { get; } = [];

    /// <summary>How long issued access tokens stay valid. Defaults to one hour.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a credential added through the Graph-compatible endpoint (addPassword, addKey) is refused by the token
    /// endpoint with <c>invalid_client</c>, as Entra ID takes seconds to minutes to propagate a new credential. Zero (the
    /// default) accepts it at once. Credentials added with <see cref="DevClientSecrets"/> or
    /// <see cref="DevClientCertificates"/> are never delayed.
    /// </summary>
    public TimeSpan CredentialPropagationDelay { get; set; }

    /// <summary>
    /// How many password and key credentials one application may hold; addPassword and addKey beyond it are refused.
    /// Defaults to 1,200, Entra ID's cap on the entries of all the collections of an application manifest together.
    /// </summary>
    public int MaxCredentialsPerApplication { get; set; } = DefaultMaxCredentialsPerApplication;

    /// <summary>Entra ID's cap on the entries of all the collections of one application manifest together.</summary>
    public const int DefaultMaxCredentialsPerApplication = 1200;

    /// <summary>
    /// How long each token request is held before it is answered, to stand in for a distant authorization server
    /// (Entra ID answers in tens to hundreds of milliseconds). Defaults to none.
    /// </summary>
    public TimeSpan TokenResponseDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The development Key Vault and managed identity; off by default.</summary>
    public DevVaultOptions Vault { get; } = new();
}
