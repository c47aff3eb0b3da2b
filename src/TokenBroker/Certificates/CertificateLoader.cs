using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace TokenBroker.Certificates;

/// <summary>Turns PKCS#12 or PEM into a certificate with its RSA private key, keeping the key off disk where the platform allows.</summary>
internal static class CertificateLoader
{
    /// <summary>The content type Key Vault gives a certificate's secret in PKCS#12 form (its value is then base64).</summary>
    public const string Pkcs12ContentType = "application/x-pkcs12";

    /// <summary>The content type Key Vault gives a certificate's secret in PEM form.</summary>
    public const string PemContentType = "application/x-pem-file";

    // EphemeralKeySet keeps the private key in memory only (no key file on Linux, no user profile on Windows);
    // macOS cannot load PKCS#12 that way.
    private static readonly X509KeyStorageFlags KeyStorage =
        OperatingSystem.IsMacOS() ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet;

    /// <summary>Reads the value of a Key Vault certificate's secret: base64 PKCS#12, or PEM.</summary>
    /// <exception cref="CryptographicException">The value is neither, or holds no RSA private key.</exception>
    public static X509Certificate2 FromKeyVaultSecret(string value, string? contentType)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        if (string.Equals(contentType, PemContentType, StringComparison.OrdinalIgnoreCase) || IsPem(value))
        {
            return RequireRsaPrivateKey(X509Certificate2.CreateFromPem(value, value));
        }

        byte[] pkcs12;
        try
        {
            pkcs12 = Convert.FromBase64String(value);
        }
        catch (FormatException ex)
        {
            throw new CryptographicException("The value is neither base64 PKCS#12 nor PEM.", ex);
        }

        return RequireRsaPrivateKey(X509CertificateLoader.LoadPkcs12(pkcs12, null, KeyStorage));
    }

    /// <summary>Reads a PKCS#12 file, or a PEM file with the key in it or in <paramref name="keyPath"/>.</summary>
    /// <exception cref="CryptographicException">The file holds no certificate with an RSA private key.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static X509Certificate2 FromFiles(string path, string? keyPath, string? password)
    {
        var bytes = File.ReadAllBytes(path);
        var text = Encoding.ASCII.GetString(bytes);
        if (!IsPem(text))
        {
            return RequireRsaPrivateKey(X509CertificateLoader.LoadPkcs12(bytes, password, KeyStorage));
        }

        var key = string.IsNullOrWhiteSpace(keyPath) ? text : File.ReadAllText(keyPath);
        return RequireRsaPrivateKey(string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPem(text, key)
            : X509Certificate2.CreateFromEncryptedPem(text, key, password));
    }

    private static bool IsPem(string text) => text.AsSpan().TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal);

    private static X509Certificate2 RequireRsaPrivateKey(X509Certificate2 certificate)
    {
        using var key = certificate.GetRSAPrivateKey();
        if (key is null)
        {
            certificate.Dispose();
            throw new CryptographicException("The certificate has no RSA private key; RS256 and PS256 client assertions need one.");
        }

        return certificate;
    }
}
