namespace TokenBroker.Rotation;

/// <summary>A Key Vault secret or certificate event, reduced to what the broker acts on.</summary>
/// <param name="Type">The Event Grid event type, e.g. <c>Microsoft.KeyVault.SecretNewVersionCreated</c>.</param>
/// <param name="Vault">The vault's name.</param>
/// <param name="SecretName">The secret's or certificate's name (a certificate's secret has the certificate's name).</param>
/// <param name="Version">The version the event is about.</param>
/// <param name="ExpiresOn">The version's expiry, when the event carries one.</param>
internal sealed record SecretEvent(string Type, string Vault, string SecretName, string Version, DateTimeOffset? ExpiresOn)
{
    /// <summary>A new version of a secret was stored.</summary>
    public const string NewVersionCreated = "Microsoft.KeyVault.SecretNewVersionCreated";

    /// <summary>The current version expires within 30 days.</summary>
    public const string NearExpiry = "Microsoft.KeyVault.SecretNearExpiry";

    /// <summary>The current version has expired.</summary>
    public const string Expired = "Microsoft.KeyVault.SecretExpired";

    /// <summary>A new version of a certificate was created (renewed, imported or merged). Its secret gets a new version too.</summary>
    public const string CertificateNewVersionCreated = "Microsoft.KeyVault.CertificateNewVersionCreated";

    /// <summary>The current version of a certificate expires within the vault's notice period.</summary>
    public const string CertificateNearExpiry = "Microsoft.KeyVault.CertificateNearExpiry";

    /// <summary>The current version of a certificate has expired.</summary>
    public const string CertificateExpired = "Microsoft.KeyVault.CertificateExpired";

    /// <summary>True when the event is about a certificate rather than a secret.</summary>
    public bool IsCertificate => Type.StartsWith("Microsoft.KeyVault.Certificate", StringComparison.Ordinal);
}
