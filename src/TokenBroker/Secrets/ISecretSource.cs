namespace TokenBroker.Secrets;

/// <summary>Where client secrets come from: Key Vault in Azure, configuration or a local file in development.</summary>
internal interface ISecretSource
{
    /// <summary>
    /// True when a read costs a network call (Key Vault), so <see cref="SecretCache"/> keeps values for a while;
    /// false for in-process sources, which are read every time so a local edit shows at once.
    /// </summary>
    bool IsRemote { get; }

    /// <summary>The latest version of the secret named <paramref name="name"/>.</summary>
    /// <exception cref="SecretUnavailableException">The secret does not exist or cannot be read.</exception>
    ValueTask<ClientSecret> GetLatestAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Older versions that may still be valid at the authorization server (enabled, not expired, not the latest),
    /// newest first: the other half of the overlap window during a rotation.
    /// </summary>
    ValueTask<IReadOnlyList<ClientSecret>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken);
}
