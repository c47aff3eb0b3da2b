using Azure;
using Azure.Security.KeyVault.Secrets;

namespace TokenBroker.Secrets;

/// <summary>Reads secrets from Key Vault with the app's identity (Key Vault Secrets User is all it needs).</summary>
internal sealed class KeyVaultSecretSource(SecretClient client, TimeProvider time) : ISecretSource
{
    // Two older versions cover every sane rotation; more would only add Key Vault reads while a connection is failing.
    private const int MaxPreviousVersions = 2;

    public bool IsRemote => true;

    public async ValueTask<ClientSecret> GetLatestAsync(string name, CancellationToken cancellationToken)
    {
        var secret = await ReadAsync(name, version: null, cancellationToken);
        if (secret.Properties.Enabled == false)
        {
            throw new SecretUnavailableException(name, "the latest version is disabled");
        }

        return new ClientSecret(secret.Value, secret.Properties.Version ?? string.Empty);
    }

    public async ValueTask<IReadOnlyList<ClientSecret>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken)
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
        catch (RequestFailedException ex)
        {
            throw new SecretUnavailableException(name, Describe(ex), ex);
        }

        var previous = new List<ClientSecret>();
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
        catch (RequestFailedException ex)
        {
            throw new SecretUnavailableException(name, Describe(ex), ex);
        }
        catch (Azure.Identity.AuthenticationFailedException ex)
        {
            throw new SecretUnavailableException(name, "the broker could not obtain a token for Key Vault", ex);
        }
    }

    // A Key Vault error message carries no secret value, but ours stay short and uniform.
    private static string Describe(RequestFailedException ex) => ex.Status switch
    {
        404 => "not found in Key Vault",
        401 or 403 => $"access denied by Key Vault (status {ex.Status}); the broker identity needs Key Vault Secrets User",
        0 => "Key Vault could not be reached",
        _ => $"Key Vault answered status {ex.Status}",
    };
}
