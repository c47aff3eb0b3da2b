using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TokenBroker.Tests.Support;

/// <summary>Self-signed RSA 2048 certificates made at run time: no key is ever committed.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 Create(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        using var created = request.CreateSelfSigned(from, notAfter ?? from.AddYears(1));

        // Through PKCS#12, so the key is exportable (PFX, PEM) and usable alike on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>The certificate without its private key, as an authorization server holds it.</summary>
    public static X509Certificate2 PublicPart(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);

    public static string Pfx(X509Certificate2 certificate, string? password = null) =>
        Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12, password));

    public static string Pem(X509Certificate2 certificate)
    {
        using var key = certificate.GetRSAPrivateKey()!;
        return certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem();
    }
}
