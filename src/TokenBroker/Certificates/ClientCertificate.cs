using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;
using TokenBroker.Credentials;

namespace TokenBroker.Certificates;

/// <summary>
/// A certificate with its private key, for signing <c>private_key_jwt</c> client assertions, and the version it came from.
/// <see cref="ToString"/> names the version and thumbprint, never key material.
/// </summary>
internal sealed class ClientCertificate : ClientCredential
{
    public ClientCertificate(X509Certificate2 certificate, string version)
        : base(version)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The certificate has no private key.", nameof(certificate));
        }

        Certificate = certificate;
        Sha256Thumbprint = Base64Url.EncodeToString(SHA256.HashData(certificate.RawData));

        // One key per certificate version, so IdentityModel's signature provider cache is hit on every assertion.
        SigningKey = new X509SecurityKey(certificate);
    }

    /// <summary>
    /// The certificate. Never disposed by the broker: a superseded version may still be signing an in-flight request, and
    /// its (ephemeral) key goes with the object when the collector takes it.
    /// </summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The <c>x5t#S256</c> header value (RFC 7515 §4.1.8): base64url SHA-256 of the DER certificate.</summary>
    public string Sha256Thumbprint { get; }

    /// <summary>The signing key over <see cref="Certificate"/>.</summary>
    public X509SecurityKey SigningKey { get; }

    /// <summary>When the certificate stops being valid.</summary>
    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime());

    public override string ToString() => $"certificate version '{Version}' (x5t#S256 {Sha256Thumbprint})";
}
