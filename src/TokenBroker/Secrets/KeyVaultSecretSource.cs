using Azure.Security.KeyVault.Secrets;
using TokenBroker.Credentials;

namespace TokenBroker.Secrets;

/// <summary>Reads secrets from Key Vault with the app's identity (Key Vault Secrets User is all it needs).</summary>
internal sealed class KeyVaultSecretSource(SecretClient client, TimeProvider time) : ICredentialSource<ClientSecret>
{
    // Two older versions cover every sane rotation; more would only add Key Vault reads while a connection is failing.
    private const int MaxPreviousVersions = 2;
    private const string Role = "Key Vault Secrets User";

    public string Kind => VaultObject.SecretKind;

    public bool IsRemote => true;

    public async ValueTask<ClientCredential> GetLatestAsync(string name, CancellationToken cancellationToken)
    {
        var secret = await ReadAsync(name, version: null, cancellationToken);
        if (secret.Properties.Enabled == false)
        {
            throw new SecretUnavailableException(name, "the latest version is disabled");
        }

        return new ClientSecret(secret.Value, secret.Properties.Version ?? string.Empty);
    }

    public async ValueTask<IReadOnlyList<ClientCredential>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var candidates = new List<SecretProperties>();
        try
        {
            await foreach (var properties in client.GetPropertiesOfSecretVersionsAsync(name, cancellationToken))
            {
                if (KeyVaultVersion.IsOverlapCandidate(properties.Enabled, properties.Version, latestVersion, properties.ExpiresOn, properties.NotBefore, now))
                {
                    candidates.Add(properties);
                }
            }
        }
        catch (Exception ex) when (KeyVaultFailure.IsUnavailable(ex, cancellationToken))
        {
            throw new SecretUnavailableException(name, KeyVaultFailure.Describe(ex, Role), ex);
        }

        var previous = new List<ClientCredential>();
        foreach (var properties in candidates.OrderByDescending(p => p.CreatedOn).Take(MaxPreviousVersions))
        {
            var secret = await ReadAsync(name, properties.Version, cancellationToken);
            previous.Add(new ClientSecret(secret.Value, properties.Version));
        }

        return previous;
    }

    private async Task<KeyVaultSecret> ReadAsync(string name, string? version, CancellationToken cancellationToken)
    {
        try
        {
            var secret = (await client.GetSecretAsync(name, version, cancellationToken)).Value;
            return string.IsNullOrEmpty(secret?.Value) ? throw new SecretUnavailableException(name, "the secret is empty") : secret;
        }
        catch (Exception ex) when (ex is not SecretUnavailableException && KeyVaultFailure.IsUnavailable(ex, cancellationToken))
        {
            throw new SecretUnavailableException(name, KeyVaultFailure.Describe(ex, Role), ex);
        }
    }
}
