namespace TokenBroker.Credentials;

/// <summary>
/// Knows, for some versioned credentials, which version must be used rather than Key Vault's latest: an automatic
/// certificate rotation keeps signing with the version the authorization server knows until the new one is registered
/// and promoted. <see cref="CredentialCache"/> asks every hold each time it reads an object from its source.
/// </summary>
internal interface ICredentialVersionHold
{
    /// <summary>
    /// The version of <paramref name="vaultObject"/> to use now (possibly <paramref name="latestVersion"/> itself, which
    /// drops any pin), or null when this hold does not govern the object and the cache decides as it always does.
    /// </summary>
    ValueTask<string?> GetHeldVersionAsync(VaultObject vaultObject, string latestVersion, CancellationToken cancellationToken);
}
