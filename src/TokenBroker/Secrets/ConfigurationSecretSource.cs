using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;

namespace TokenBroker.Secrets;

/// <summary>
/// Development only (options validation refuses it elsewhere): secrets from <c>TokenBroker:Secrets:{name}</c>,
/// or from <c>TokenBroker:LocalSecretsFile</c>, which is watched so a rotation can be rehearsed without a restart.
/// </summary>
internal sealed class ConfigurationSecretSource : ISecretSource, IDisposable
{
    private const string SecretsSection = "TokenBroker:Secrets";

    private readonly IConfiguration _configuration;
    private readonly IConfigurationRoot? _file;

    public ConfigurationSecretSource(IConfiguration configuration, IOptions<TokenBrokerOptions> options)
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

    public ValueTask<ClientSecret> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        var value = _file?[name] ?? _configuration[$"{SecretsSection}:{name}"];
        if (string.IsNullOrEmpty(value))
        {
            var where = _file is null ? $"{SecretsSection}:{name}" : $"the local secrets file or {SecretsSection}:{name}";
            throw new SecretUnavailableException(name, $"not found in {where}");
        }

        return ValueTask.FromResult(new ClientSecret(value, VersionOf(value)));
    }

    public void Dispose() => (_file as IDisposable)?.Dispose();

    // Local sources have no versions; a short digest still tells two values apart in logs and cache entities.
    private static string VersionOf(string value)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return "local-" + Convert.ToHexStringLower(hash[..6]);
    }
}
