using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TokenBroker.IntegrationTests.Infrastructure.Faults;

/// <summary>
/// A self-signed TLS server certificate for 127.0.0.1 and localhost, made fresh for each run, never installed anywhere.
/// In process, a client trusts it by pinning (<see cref="Validate"/>). A child process trusts it the way it would trust
/// a public CA: on Linux, point OpenSSL (which .NET uses for chain building) at the PEM file with
/// <c>SSL_CERT_FILE=&lt;PemPath&gt;</c> (replaces the system bundle for that process) or put it in a directory named
/// by <c>SSL_CERT_DIR</c> under its OpenSSL hash name.
/// </summary>
public sealed class LoopbackCertificate : IDisposable
{
    private LoopbackCertificate(X509Certificate2 certificate, string pemPath)
    {
        Certificate = certificate;
        PemPath = pemPath;
    }

    /// <summary>The certificate with its private key, for Kestrel.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate (public part only) as a PEM file, for <c>SSL_CERT_FILE</c>.</summary>
    public string PemPath { get; }

    public static LoopbackCertificate Create(string subject = "TokenBroker test loopback")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        // Kestrel on Linux wants a key it can use from an exported form, not an ephemeral one.
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
        var pemPath = Path.Combine(Path.GetTempPath(), $"tokenbroker-loopback-{Guid.NewGuid():N}.pem");
        File.WriteAllText(pemPath, certificate.ExportCertificatePem());
        return new LoopbackCertificate(certificate, pemPath);
    }

    /// <summary>
    /// A server-certificate check that accepts this certificate and nothing else. Only the chain error is forgiven (the
    /// certificate is its own root, which no store holds); a name mismatch still fails, as it would in production.
    /// </summary>
    public bool Validate(X509Certificate? presented, SslPolicyErrors errors) =>
        presented is not null
        && presented.GetRawCertData().AsSpan().SequenceEqual(Certificate.RawData)
        && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;

    /// <summary>An HTTP handler that trusts this certificate only: what a real client's transport is given in process.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, errors) => Validate(presented, errors) },
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    };

    public void Dispose()
    {
        Certificate.Dispose();
        try
        {
            File.Delete(PemPath);
        }
        catch (IOException)
        {
            // A temp file; losing it to a race is harmless.
        }
    }
}
