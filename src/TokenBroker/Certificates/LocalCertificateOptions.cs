namespace TokenBroker.Certificates;

/// <summary>
/// Development only: a certificate with its private key from files, bound from <c>TokenBroker:Certificates:{name}</c>.
/// The file is read again on every use, so overwriting it rehearses a rotation.
/// </summary>
internal sealed class LocalCertificateOptions
{
    /// <summary>A PKCS#12 (.pfx) file, or a PEM file with the certificate and, unless <see cref="KeyPath"/> is set, its private key.</summary>
    public string? Path { get; set; }

    /// <summary>A PEM file with the private key, when <see cref="Path"/> is a PEM file holding the certificate only.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PFX password, or the password of an encrypted PEM private key.</summary>
    public string? Password { get; set; }
}
