using System.Security.Cryptography;
using Azure;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using TokenBroker.Credentials;
using TokenBroker.Secrets;

namespace TokenBroker.Certificates;

/// <summary>
/// Reads certificates from Key Vault: the certificate object says which version is current and whether it is enabled,
/// and the private key comes from the secret Key Vault keeps under the same name and version (Key Vault Certificate User
/// is all the broker needs).
/// </summary>
internal sealed class KeyVaultCertificateSource(CertificateClient certificates, SecretClient secrets, TimeProvider time) : ICredentialSource<ClientCertificate>
{
    // As for secrets: two older versions cover every sane rotation.
    private const int MaxPreviousVersions = 2;
    private const string Role = "Key Vault Certificate User";

    public string Kind => VaultObject.CertificateKind;

    public bool IsRemote => true;

    public async ValueTask<ClientCredential> GetLatestAsync(string name, CancellationToken cancellationToken)
    {
        var certificate = await CallAsync(name, () => certificates.GetCertificateAsync(name, cancellationToken), cancellationToken);
        if (certificate.Properties.Enabled == false)
        {
            throw Unavailable(name, "the latest version is disabled");
        }

        return await LoadAsync(name, certificate.Properties.Version, certificate.Cer, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<ClientCredential>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var candidates = new List<CertificateProperties>();
        try
        {
            await foreach (var properties in certificates.GetPropertiesOfCertificateVersionsAsync(name, cancellationToken))
            {
                if (KeyVaultVersion.IsOverlapCandidate(properties.Enabled, properties.Version, latestVersion, properties.ExpiresOn, properties.NotBefore, now))
                {
                    candidates.Add(properties);
                }
            }
        }
        catch (Exception ex) when (KeyVaultFailure.IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable(name, KeyVaultFailure.Describe(ex, Role), ex);
        }

        var previous = new List<ClientCredential>();
        foreach (var properties in candidates.OrderByDescending(p => p.CreatedOn).Take(MaxPreviousVersions))
        {
            previous.Add(await LoadAsync(name, properties.Version, expectedCer: null, cancellationToken));
        }

        return previous;
    }

    public async ValueTask<ClientCredential> GetVersionAsync(string name, string version, CancellationToken cancellationToken)
    {
        var certificate = await CallAsync(name, () => certificates.GetCertificateVersionAsync(name, version, cancellationToken), cancellationToken);
        if (certificate.Properties.Enabled == false)
        {
            throw Unavailable(name, $"version {version} is disabled");
        }

        return await LoadAsync(name, version, certificate.Cer, cancellationToken);
    }

    private async Task<ClientCertificate> LoadAsync(string name, string version, byte[]? expectedCer, CancellationToken cancellationToken)
    {
        var secret = await CallAsync(name, () => secrets.GetSecretAsync(name, version, cancellationToken: cancellationToken), cancellationToken);
        if (string.IsNullOrEmpty(secret.Value))
        {
            throw Unavailable(name, $"the secret of version {version} is empty");
        }

        try
        {
            var loaded = CertificateLoader.FromKeyVaultSecret(secret.Value, secret.Properties.ContentType);

            // Both reads name the same version, so this only fails if the vault is mid-change; never sign with a mismatch.
            if (expectedCer is not null && !loaded.RawData.AsSpan().SequenceEqual(expectedCer))
            {
                loaded.Dispose();
                throw Unavailable(name, $"the secret of version {version} holds a different certificate");
            }

            return new ClientCertificate(loaded, version);
        }
        catch (CryptographicException ex)
        {
            throw Unavailable(name, $"the secret of version {version} is not a PKCS#12 or PEM certificate with an RSA private key", ex);
        }
    }

    private static async Task<T> CallAsync<T>(string name, Func<Task<Response<T>>> call, CancellationToken cancellationToken)
    {
        try
        {
            return (await call()).Value;
        }
        catch (Exception ex) when (KeyVaultFailure.IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable(name, KeyVaultFailure.Describe(ex, Role), ex);
        }
    }

    private static ClientCredentialUnavailableException Unavailable(string name, string reason, Exception? inner = null) =>
        new(VaultObject.CertificateKind, name, reason, inner);
}
