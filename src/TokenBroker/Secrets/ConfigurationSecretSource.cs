using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TokenBroker.Credentials;

namespace TokenBroker.Secrets;

/// <summary>
/// Development only (options validation refuses it elsewhere): secrets from <c>TokenBroker:Secrets:{name}</c>,
/// or from <c>TokenBroker:LocalSecretsFile</c>, which is watched so a rotation can be rehearsed without a restart.
/// Values it served before act as "previous versions", as older Key Vault versions do until they are disabled.
/// </summary>
internal sealed class ConfigurationSecretSource : ICredentialSource<ClientSecret>, IDisposable
{
    private const string SecretsSection = "TokenBroker:Secrets";
    private const int MaxHistory = 2;

    private readonly IConfiguration _configuration;
    private readonly IConfigurationRoot? _file;
    private readonly ConcurrentDictionary<string, ClientSecret[]> _history = new(StringComparer.Ordinal);

    public ConfigurationSecretSource(IConfiguration configuration, IOptions<CredentialSourceOptions> options)
    {
        _configuration = configuration;
        var path = options.Value.LocalSecretsFile;
        if (!string.IsNullOrWhiteSpace(path))
        {
            _file = new ConfigurationBuilder()
                .AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: true)
                .Build();
        }
    }

    public string Kind => VaultObject.SecretKind;

    public bool IsRemote => false;

    public ValueTask<ClientCredential> GetLatestAsync(string name, CancellationToken cancellationToken)
    {
        var value = _file?[name] ?? _configuration[$"{SecretsSection}:{name}"];
        if (string.IsNullOrEmpty(value))
        {
            var where = _file is null ? $"{SecretsSection}:{name}" : $"the local secrets file or {SecretsSection}:{name}";
            throw new SecretUnavailableException(name, $"not found in {where}");
        }

        var secret = new ClientSecret(value, VersionOf(value));
        Remember(name, secret);
        return ValueTask.FromResult<ClientCredential>(secret);
    }

    public ValueTask<IReadOnlyList<ClientCredential>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ClientCredential>>(
            _history.TryGetValue(name, out var seen) ? [.. seen.Where(s => s.Version != latestVersion)] : []);

    public void Dispose() => (_file as IDisposable)?.Dispose();

    private void Remember(string name, ClientSecret secret) =>
        _history.AddOrUpdate(
            name,
            static (_, s) => [s],
            static (_, seen, s) => seen[0].Version == s.Version ? seen : [s, .. seen.Take(MaxHistory)],
            secret);

    // Local sources have no versions; a short digest still tells two values apart in logs and cache entities.
    private static string VersionOf(string value)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return "local-" + Convert.ToHexStringLower(hash[..6]);
    }
}
