namespace TokenBroker.Credentials;

/// <summary>
/// Where one kind of versioned credential comes from: Key Vault in Azure, configuration or files in development. The
/// <see cref="CredentialCache"/> picks the source by <see cref="Kind"/>.
/// </summary>
internal interface ICredentialSource
{
    /// <summary>The <see cref="VaultObject.Kind"/> this source reads.</summary>
    string Kind { get; }

    /// <summary>True when a read costs a network call, so <see cref="CredentialCache"/> keeps values for a while.</summary>
    bool IsRemote { get; }

    /// <exception cref="ClientCredentialUnavailableException">The credential does not exist or cannot be read.</exception>
    ValueTask<ClientCredential> GetLatestAsync(string name, CancellationToken cancellationToken);

    /// <summary>Older versions that may still be accepted (enabled, unexpired, past not-before, not the latest), newest first.</summary>
    /// <exception cref="ClientCredentialUnavailableException">The versions cannot be listed or read.</exception>
    ValueTask<IReadOnlyList<ClientCredential>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken);

    /// <summary>One given version (for a <see cref="ICredentialVersionHold"/>); a source that keeps one version has no other to give.</summary>
    /// <exception cref="ClientCredentialUnavailableException">The version does not exist, is disabled, or cannot be read.</exception>
    ValueTask<ClientCredential> GetVersionAsync(string name, string version, CancellationToken cancellationToken) =>
        throw new ClientCredentialUnavailableException(Kind, name, $"version {version} cannot be read: this source keeps the current version only");
}

/// <summary>
/// The source of one credential type: a distinct service per kind, so the Key Vault or local choice is registered once per
/// kind and the cache receives every source as <see cref="ICredentialSource"/>.
/// </summary>
internal interface ICredentialSource<TCredential> : ICredentialSource
    where TCredential : ClientCredential;
