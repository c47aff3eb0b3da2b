namespace TokenBroker.Secrets;

/// <summary>Where client secrets come from: Key Vault in Azure, configuration or a local file in development.</summary>
public interface ISecretSource
{
    /// <summary>The current version of the secret named <paramref name="name"/>.</summary>
    /// <exception cref="SecretUnavailableException">The secret does not exist or cannot be read.</exception>
    ValueTask<ClientSecret> GetSecretAsync(string name, CancellationToken cancellationToken);
}
