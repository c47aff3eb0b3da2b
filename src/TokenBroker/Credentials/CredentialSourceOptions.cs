using TokenBroker.Certificates;
using TokenBroker.Connections;

namespace TokenBroker.Credentials;

/// <summary>
/// Where the broker's credentials come from and how long they are kept, bound from the <c>TokenBroker</c> section (the
/// keys are the same as when they were part of <see cref="TokenBrokerOptions"/>).
/// </summary>
internal sealed class CredentialSourceOptions
{
    /// <summary>When set, secrets and certificates are read from this Key Vault with the app's managed identity.</summary>
    public Uri? KeyVaultUri { get; set; }

    /// <summary>
    /// Development only: a JSON file of secret name to value, re-read when it changes, so a rotation can be rehearsed locally.
    /// </summary>
    public string? LocalSecretsFile { get; set; }

    /// <summary>
    /// Development only: certificates for <c>private_key_jwt</c> connections from files instead of Key Vault, by certificate name.
    /// </summary>
    public Dictionary<string, LocalCertificateOptions> Certificates { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a secret or certificate read from Key Vault is kept in memory before it is read again.</summary>
    public TimeSpan SecretCacheDuration { get; set; } = TimeSpan.FromMinutes(30);
}
