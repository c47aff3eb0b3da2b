using Azure;
using Azure.Security.KeyVault.Secrets;

namespace TokenBroker.Secrets;

/// <summary>Reads the latest version of a secret from Key Vault with the app's identity.</summary>
internal sealed class KeyVaultSecretSource(SecretClient client) : ISecretSource
{
    public async ValueTask<ClientSecret> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetSecretAsync(name, version: null, cancellationToken);
            var secret = response.Value;
            if (string.IsNullOrEmpty(secret?.Value))
            {
                throw new SecretUnavailableException(name, "the secret is empty");
            }

            if (secret.Properties.Enabled == false)
            {
                throw new SecretUnavailableException(name, "the latest version is disabled");
            }

            return new ClientSecret(secret.Value, secret.Properties.Version ?? string.Empty);
        }
        catch (RequestFailedException ex)
        {
            // The message of a Key Vault error carries no secret value, but keep ours short and uniform.
            var reason = ex.Status switch
            {
                404 => "not found in Key Vault",
                401 or 403 => $"access denied by Key Vault (status {ex.Status}); the broker identity needs Key Vault Secrets User",
                0 => "Key Vault could not be reached",
                _ => $"Key Vault answered status {ex.Status}",
            };
            throw new SecretUnavailableException(name, reason, ex);
        }
        catch (Azure.Identity.AuthenticationFailedException ex)
        {
            throw new SecretUnavailableException(name, "the broker could not obtain a token for Key Vault", ex);
        }
    }
}
