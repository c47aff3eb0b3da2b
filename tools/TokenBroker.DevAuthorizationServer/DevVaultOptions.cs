namespace TokenBroker.DevAuthorizationServer;

/// <summary>
/// The development Key Vault and managed identity, bound from <c>DevAuthorizationServer:Vault</c>: off unless
/// <see cref="Enabled"/>. With them the broker's automatic rotation runs locally against its real Azure SDK clients.
/// </summary>
public sealed class DevVaultOptions
{
    /// <summary>
    /// Serves, besides the authorization server, a Key Vault-compatible secrets API on the HTTPS address of
    /// <c>--urls</c> and an App Service-style managed identity endpoint at <c>/msi/token</c> on its HTTP address.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Where the vault's self-signed TLS certificate (made at each start, for <c>127.0.0.1</c> and <c>localhost</c>) is
    /// written as PEM, for the broker to trust through <c>SSL_CERT_FILE</c>.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>
    /// The value callers of the managed identity endpoint must send as <c>X-IDENTITY-HEADER</c> (the broker's
    /// <c>IDENTITY_HEADER</c>). At least 16 characters.
    /// </summary>
    public string? IdentityHeader { get; set; }

    /// <summary>
    /// The client id of the managed identity: a client registered with Graph's scope that owns every configured client,
    /// so the Graph-compatible endpoint lets it manage their credentials (<c>Application.ReadWrite.OwnedBy</c>).
    /// </summary>
    public string IdentityClientId { get; set; } = "tokenbroker-identity";

    /// <summary>A JSON file of secret names and values (<c>{"name": "value"}</c>) stored in the vault at start.</summary>
    public string? SeedFile { get; set; }
}
