using System.Security.Cryptography.X509Certificates;
using Azure;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Moq;

namespace TokenBroker.Tests.Support;

/// <summary>
/// Moq over <see cref="CertificateClient"/> and <see cref="SecretClient"/> (<see cref="CertificateModelFactory"/>,
/// <see cref="SecretModelFactory"/>) holding the versions of one Key Vault certificate: the certificate objects, and the
/// secret of the same name and version that carries each private key, as PKCS#12 or PEM.
/// </summary>
internal sealed class CertificateVaultMock
{
    private static readonly Uri VaultUri = new("https://vault.vault.azure.net/");
    private readonly Lock _gate = new();
    private readonly List<Version> _versions = [];
    private int _created;

    public CertificateVaultMock(string certificateName, Mock<SecretClient>? secrets = null)
    {
        CertificateName = certificateName;
        Secrets = secrets ?? new Mock<SecretClient>();
        VaultMock.ServeCacheKey(Secrets);
        Certificates.Setup(c => c.GetCertificateAsync(certificateName, It.IsAny<CancellationToken>()))
            .Returns((string _, CancellationToken _) => Task.FromResult(Latest()));
        Certificates.Setup(c => c.GetPropertiesOfCertificateVersionsAsync(certificateName, It.IsAny<CancellationToken>()))
            .Returns((string _, CancellationToken _) => Versions());
        Secrets.Setup(c => c.GetSecretAsync(certificateName, It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .Returns((string _, string? version, CancellationToken _) => Task.FromResult(Secret(version)));
    }

    public string CertificateName { get; }

    public Mock<CertificateClient> Certificates { get; } = new();

    public Mock<SecretClient> Secrets { get; }

    public int CertificateReads { get; private set; }

    /// <summary>Stores a new version, as a renewal or an import does; the secret is PKCS#12 unless <paramref name="pem"/>.</summary>
    public string Add(X509Certificate2 certificate, bool pem = false)
    {
        lock (_gate)
        {
            var version = $"c{++_created}";
            var value = pem ? TestCertificates.Pem(certificate) : TestCertificates.Pfx(certificate);
            _versions.Add(new Version(version, certificate.RawData, value, pem ? "application/x-pem-file" : "application/x-pkcs12", true, DateTimeOffset.UnixEpoch.AddDays(_created)));
            return version;
        }
    }

    public void Disable(string version)
    {
        lock (_gate)
        {
            var index = _versions.FindIndex(v => v.Id == version);
            _versions[index] = _versions[index] with { Enabled = false };
        }
    }

    private Response<KeyVaultCertificateWithPolicy> Latest()
    {
        lock (_gate)
        {
            CertificateReads++;
            var latest = _versions[^1];
            var certificate = CertificateModelFactory.KeyVaultCertificateWithPolicy(
                Properties(latest),
                new Uri(VaultUri, $"keys/{CertificateName}/{latest.Id}"),
                new Uri(VaultUri, $"secrets/{CertificateName}/{latest.Id}"),
                latest.Cer,
                null);
            return Response.FromValue(certificate, Mock.Of<Response>());
        }
    }

    private AsyncPageable<CertificateProperties> Versions()
    {
        lock (_gate)
        {
            var page = _versions.Select(Properties).ToList();
            return AsyncPageable<CertificateProperties>.FromPages([Page<CertificateProperties>.FromValues(page, null, Mock.Of<Response>())]);
        }
    }

    private Response<KeyVaultSecret> Secret(string? version)
    {
        lock (_gate)
        {
            var match = version is null ? _versions[^1] : _versions.Single(v => v.Id == version);
            var properties = SecretModelFactory.SecretProperties(
                new Uri(VaultUri, $"secrets/{CertificateName}/{match.Id}"),
                VaultUri,
                CertificateName,
                match.Id,
                managed: true,
                keyId: new Uri(VaultUri, $"keys/{CertificateName}/{match.Id}"),
                createdOn: match.CreatedOn);
            properties.ContentType = match.ContentType;
            properties.Enabled = match.Enabled;
            return Response.FromValue(SecretModelFactory.KeyVaultSecret(properties, match.Value), Mock.Of<Response>());
        }
    }

    private CertificateProperties Properties(Version version)
    {
        var properties = CertificateModelFactory.CertificateProperties(
            new Uri(VaultUri, $"certificates/{CertificateName}/{version.Id}"),
            CertificateName,
            VaultUri,
            version.Id,
            null,
            createdOn: version.CreatedOn);
        properties.Enabled = version.Enabled;
        return properties;
    }

    private sealed record Version(string Id, byte[] Cer, string Value, string ContentType, bool Enabled, DateTimeOffset CreatedOn);
}
