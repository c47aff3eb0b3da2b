using Azure;
using Azure.Security.KeyVault.Secrets;
using Moq;

namespace TokenBroker.Tests.Support;

/// <summary>
/// Moq over <see cref="SecretClient"/> (designed for it: virtual members, <see cref="SecretModelFactory"/>) backed by a
/// list of versions a test can add to or disable, as ops would. Happy paths only: outages are tested against a real fault
/// (Infrastructure/KeyVault/KeyVaultEndpoint in the integration tests).
/// </summary>
internal sealed class VaultMock
{
    private readonly Lock _gate = new();
    private readonly List<(KeyVaultSecret Secret, bool Enabled)> _versions = [];
    private int _created;

    public VaultMock(string secretName)
    {
        SecretName = secretName;

        ServeCacheKey(Client);
        Client.Setup(c => c.GetSecretAsync(secretName, It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .Returns((string _, string? version, CancellationToken _) => Task.FromResult(Get(version)));
        Client.Setup(c => c.GetPropertiesOfSecretVersionsAsync(secretName, It.IsAny<CancellationToken>()))
            .Returns((string _, CancellationToken _) => Versions());
    }

    public string SecretName { get; }

    /// <summary>Serves the token cache's encryption key, which lives in the same vault as every other secret.</summary>
    public static void ServeCacheKey(Mock<SecretClient> client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var properties = SecretModelFactory.SecretProperties(new Uri("https://vault.vault.azure.net/secrets/token-cache-key/k1"), name: "token-cache-key", version: "k1");
        properties.Enabled = true;
        var secret = SecretModelFactory.KeyVaultSecret(properties, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        client.Setup(c => c.GetSecretAsync("token-cache-key", It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(secret, Mock.Of<Response>()));
    }

    public Mock<SecretClient> Client { get; } = new();

    public int Reads { get; private set; }

    public string Add(string value)
    {
        lock (_gate)
        {
            var version = $"v{++_created}";
            var properties = Properties(new Uri($"https://vault.vault.azure.net/secrets/{SecretName}/{version}"), version, true, DateTimeOffset.UnixEpoch.AddDays(_created));
            _versions.Add((SecretModelFactory.KeyVaultSecret(properties, value), true));
            return version;
        }
    }

    public void Disable(string version)
    {
        lock (_gate)
        {
            var index = _versions.FindIndex(v => v.Secret.Properties.Version == version);
            _versions[index] = (_versions[index].Secret, false);
        }
    }

    private SecretProperties Properties(Uri id, string version, bool enabled, DateTimeOffset? createdOn)
    {
        var properties = SecretModelFactory.SecretProperties(id, name: SecretName, version: version, createdOn: createdOn);
        properties.Enabled = enabled;
        return properties;
    }

    private Response<KeyVaultSecret> Get(string? version)
    {
        lock (_gate)
        {
            Reads++;

            var match = version is null ? _versions[^1] : _versions.Single(v => v.Secret.Properties.Version == version);
            var properties = Properties(match.Secret.Properties.Id, match.Secret.Properties.Version, match.Enabled, match.Secret.Properties.CreatedOn);
            return Response.FromValue(SecretModelFactory.KeyVaultSecret(properties, match.Secret.Value), Mock.Of<Response>());
        }
    }

    private AsyncPageable<SecretProperties> Versions()
    {
        lock (_gate)
        {

            var page = _versions
                .Select(v => Properties(v.Secret.Properties.Id, v.Secret.Properties.Version, v.Enabled, v.Secret.Properties.CreatedOn))
                .ToList();
            return AsyncPageable<SecretProperties>.FromPages([Page<SecretProperties>.FromValues(page, null, Mock.Of<Response>())]);
        }
    }
}
