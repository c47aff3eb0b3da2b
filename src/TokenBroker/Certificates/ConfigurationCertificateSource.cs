using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using TokenBroker.Credentials;

namespace TokenBroker.Certificates;

/// <summary>
/// Development only (options validation refuses it elsewhere): certificates from the files named in
/// <c>TokenBroker:Certificates:{name}</c>, read on every use so overwriting a file rehearses a rotation. Certificates it
/// served before act as "previous versions", as older Key Vault versions do until they are disabled.
/// </summary>
internal sealed class ConfigurationCertificateSource(IOptions<CredentialSourceOptions> options) : ICredentialSource<ClientCertificate>
{
    private const string Section = "TokenBroker:Certificates";
    private const int MaxHistory = 2;

    private readonly ConcurrentDictionary<string, ClientCertificate[]> _history = new(StringComparer.Ordinal);

    public string Kind => VaultObject.CertificateKind;

    public bool IsRemote => false;

    public ValueTask<ClientCredential> GetLatestAsync(string name, CancellationToken cancellationToken)
    {
        if (!options.Value.Certificates.TryGetValue(name, out var local) || string.IsNullOrWhiteSpace(local.Path))
        {
            throw new ClientCredentialUnavailableException(VaultObject.CertificateKind, name, $"not found in {Section}:{name}:Path");
        }

        X509Certificate2 loaded;
        try
        {
            var keyPath = string.IsNullOrWhiteSpace(local.KeyPath) ? null : Path.GetFullPath(local.KeyPath);
            loaded = CertificateLoader.FromFiles(Path.GetFullPath(local.Path), keyPath, local.Password);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ClientCredentialUnavailableException(
                VaultObject.CertificateKind, name, $"{Section}:{name} could not be read as a PKCS#12 or PEM certificate with an RSA private key ({ex.GetType().Name})", ex);
        }

        var version = VersionOf(loaded);
        if (_history.TryGetValue(name, out var seen) && seen[0].Version == version)
        {
            loaded.Dispose();
            return ValueTask.FromResult<ClientCredential>(seen[0]);
        }

        var certificate = new ClientCertificate(loaded, version);
        _history.AddOrUpdate(
            name,
            static (_, c) => [c],
            static (_, seen, c) => [c, .. seen.Where(s => s.Version != c.Version).Take(MaxHistory)],
            certificate);
        return ValueTask.FromResult<ClientCredential>(certificate);
    }

    public ValueTask<IReadOnlyList<ClientCredential>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ClientCredential>>(
            _history.TryGetValue(name, out var seen) ? [.. seen.Where(c => c.Version != latestVersion)] : []);

    // Local files have no versions; the certificate's own digest tells two apart in logs and cache entities.
    private static string VersionOf(X509Certificate2 certificate) =>
        "local-" + Convert.ToHexStringLower(SHA256.HashData(certificate.RawData).AsSpan(0, 6));
}
