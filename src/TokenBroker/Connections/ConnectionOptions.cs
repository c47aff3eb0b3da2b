using TokenBroker.Lifecycle;

namespace TokenBroker.Connections;

/// <summary>
/// One downstream API the broker obtains tokens for, bound from <c>TokenBroker:Connections:{key}</c>. The key is the
/// connection's name unless <see cref="Name"/> says otherwise.
/// </summary>
internal sealed class ConnectionOptions
{
    /// <summary>
    /// The name callers use (<c>api/token/{name}</c>), when it differs from the section key. App Service setting names
    /// may hold only letters, digits, '.' and '_', so a connection named <c>payments-eu</c> is configured under a key such as
    /// <c>payments_eu</c> with <c>Name = payments-eu</c>. Unset, the section key is the name.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>The authorization server's token endpoint: an absolute https URL (http only for loopback hosts).</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary>The client id registered at the authorization server.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// Name of the secret (Key Vault, or local configuration) holding the client secret. Required for
    /// <c>client_secret_basic</c> and <c>client_secret_post</c>, unused by the other methods.
    /// </summary>
    public string? SecretName { get; set; }

    /// <summary>Space-separated scopes requested when a caller does not name any.</summary>
    public string? Scopes { get; set; }

    /// <summary>Space-separated scopes a caller may ask for. Defaults to <see cref="Scopes"/> when unset or blank.</summary>
    public string? AllowedScopes { get; set; }

    /// <summary>Whether <see cref="AllowedScopes"/> is left to its default (unset or blank): the one place that rule is written.</summary>
    internal bool AllowedScopesDefaulted => string.IsNullOrWhiteSpace(AllowedScopes);

    /// <summary>The scopes a caller may ask for, as configured: <see cref="AllowedScopes"/>, or <see cref="Scopes"/> by default.</summary>
    internal string? EffectiveAllowedScopes => AllowedScopesDefaulted ? Scopes : AllowedScopes;

    /// <summary>
    /// <c>client_secret_basic</c> (default), <c>client_secret_post</c>, <c>private_key_jwt</c> or
    /// <c>managed_identity_federation</c>.
    /// </summary>
    public string? AuthMethod { get; set; }

    /// <summary>
    /// <c>private_key_jwt</c>: name of the Key Vault certificate (or, in Development, of the
    /// <c>TokenBroker:Certificates:{name}</c> entry) whose private key signs the client assertion. Required for that method.
    /// </summary>
    public string? CertificateName { get; set; }

    /// <summary><c>private_key_jwt</c>: <c>RS256</c> (default) or <c>PS256</c>.</summary>
    public string? SigningAlgorithm { get; set; }

    /// <summary>
    /// <c>private_key_jwt</c>: the authorization server's issuer identifier, for servers that follow
    /// draft-ietf-oauth-rfc7523bis (OpenIddict 7 among them): assertions then carry it as <c>aud</c> and the explicit type
    /// <c>client-authentication+jwt</c>. Unset (the default, and what Entra ID requires): <c>aud</c> is the token endpoint
    /// and the type is <c>JWT</c>.
    /// </summary>
    public string? AssertionAudience { get; set; }

    /// <summary>
    /// <c>managed_identity_federation</c>: the audience of the managed identity token used as the assertion.
    /// Defaults to <c>api://AzureADTokenExchange</c> (Entra ID public cloud).
    /// </summary>
    public string? FederationAudience { get; set; }

    /// <summary>How the broker looks after the connection's credential: expiry inventory and rotation (<c>…:Lifecycle</c>).</summary>
    public ConnectionLifecycleOptions Lifecycle { get; set; } = new();
}
