namespace TokenBroker.Credentials;

/// <summary>Where one kind of versioned credential comes from: Key Vault in Azure, configuration or files in development.</summary>
internal interface ICredentialSource<TCredential>
    where TCredential : ClientCredential
{
    /// <summary>True when a read costs a network call, so <see cref="CredentialCache{TCredential}"/> keeps values for a while.</summary>
    bool IsRemote { get; }

    /// <exception cref="ClientCredentialUnavailableException">The credential does not exist or cannot be read.</exception>
    ValueTask<TCredential> GetLatestAsync(string name, CancellationToken cancellationToken);

    /// <summary>Older versions that may still be accepted (enabled, unexpired, past not-before, not the latest), newest first.</summary>
    /// <exception cref="ClientCredentialUnavailableException">The versions cannot be listed or read.</exception>
    ValueTask<IReadOnlyList<TCredential>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken);
}
