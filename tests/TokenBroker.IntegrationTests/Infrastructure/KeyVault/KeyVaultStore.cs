namespace TokenBroker.IntegrationTests.Infrastructure.KeyVault;

/// <summary>Secrets and certificates by name, each a list of versions in creation order: the last one is "latest", as in Key Vault.</summary>
internal sealed class KeyVaultStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<KeyVaultVersion>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<KeyVaultVersion>> _certificates = new(StringComparer.OrdinalIgnoreCase);

    public KeyVaultVersion Add(KeyVaultVersion version, bool certificate)
    {
        lock (_lock)
        {
            Versions(_secrets, version.Name).Add(version);
            if (certificate)
            {
                Versions(_certificates, version.Name).Add(version);
            }

            return version;
        }
    }

    public void Update(string name, string version, KeyVaultAttributes attributes, DateTimeOffset now, string? contentType = null)
    {
        lock (_lock)
        {
            var found = false;
            foreach (var store in new[] { _secrets, _certificates })
            {
                if (store.TryGetValue(name, out var versions) && versions.FindIndex(v => v.Version == version) is var i and >= 0)
                {
                    versions[i] = versions[i] with { Attributes = attributes, Updated = now, ContentType = contentType ?? versions[i].ContentType };
                    found = true;
                }
            }

            if (!found)
            {
                throw new KeyNotFoundException($"No version {version} of {name}.");
            }
        }
    }

    public KeyVaultVersion? Find(bool certificate, string name, string? version)
    {
        lock (_lock)
        {
            if (!(certificate ? _certificates : _secrets).TryGetValue(name, out var versions) || versions.Count == 0)
            {
                return null;
            }

            return string.IsNullOrEmpty(version) ? versions[^1] : versions.Find(v => v.Version == version);
        }
    }

    public IReadOnlyList<KeyVaultVersion>? List(bool certificate, string name)
    {
        lock (_lock)
        {
            return (certificate ? _certificates : _secrets).TryGetValue(name, out var versions) ? [.. versions] : null;
        }
    }

    private static List<KeyVaultVersion> Versions(Dictionary<string, List<KeyVaultVersion>> store, string name)
    {
        if (!store.TryGetValue(name, out var versions))
        {
            versions = [];
            store[name] = versions;
        }

        return versions;
    }
}
