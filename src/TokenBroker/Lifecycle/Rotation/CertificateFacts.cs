namespace TokenBroker.Lifecycle.Rotation;

/// <summary>
/// A certificate connection's rotation facts: Key Vault's latest enabled version, whether the application registers it
/// (Graph's <c>customKeyIdentifier</c> is the SHA-1 thumbprint unless someone set it otherwise), and the newest older
/// version it registers (the one signing today, which proves possession for addKey) with its Graph keyId.
/// </summary>
internal sealed record CertificateFacts(AppRegistration Application, CertificateVersion? Latest, bool LatestRegistered, CertificateVersion? Old, Guid? OldKeyId)
{
    /// <summary>A rotation is due: Key Vault has a version the application does not know, and an older one it does.</summary>
    public bool IsDue => Latest is not null && !LatestRegistered && Old is not null;

    /// <summary>
    /// The decision from Key Vault's latest version (null when it is disabled), its enabled versions (any order; the
    /// newest first breaks a tie) and the application's keys.
    /// </summary>
    public static CertificateFacts From(AppRegistration application, string? latestVersion, IEnumerable<CertificateVersion> enabled)
    {
        ArgumentNullException.ThrowIfNull(application);
        var newestFirst = enabled.OrderByDescending(v => v.CreatedOn ?? DateTimeOffset.MinValue).ToList();
        var latest = newestFirst.FirstOrDefault(v => v.Version == latestVersion);
        Guid? KeyIdOf(CertificateVersion version) =>
            application.Keys.FirstOrDefault(k => string.Equals(k.Thumbprint, version.Thumbprint, StringComparison.OrdinalIgnoreCase))?.KeyId;

        var old = latest is null ? null : newestFirst.FirstOrDefault(v => v != latest && v.Thumbprint != latest.Thumbprint && KeyIdOf(v) is not null);
        return new CertificateFacts(application, latest, latest is not null && KeyIdOf(latest) is not null, old, old is null ? null : KeyIdOf(old));
    }
}
