using TokenBroker.Credentials;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// The flag rules, a pure function of what was read and the clock, so each boundary is tested without a vault or Graph.
/// </summary>
internal static class InventoryRules
{
    /// <summary>How many versions and directory credentials one row keeps: about 12,000 characters at most, far below the 64 KiB Table Storage allows a string property.</summary>
    public const int MaxListed = 25;

    /// <summary>Key Vault keeps whole seconds and Graph may keep fractions: dates closer than this agree.</summary>
    public static readonly TimeSpan DateTolerance = TimeSpan.FromMinutes(1);

    /// <summary>When the current credential expires and which flags apply.</summary>
    /// <param name="kind"><see cref="VaultObject.SecretKind"/> or <see cref="VaultObject.CertificateKind"/>.</param>
    /// <param name="current">The latest enabled version, null when unknown.</param>
    /// <param name="versions">Every enabled version.</param>
    /// <param name="directory">The app registration's credentials, null when the connection has no directory or it was unreadable.</param>
    /// <param name="vaultProblem">Why the vault could not be read, if it could not.</param>
    /// <param name="directoryProblem">Why Graph could not be read, if it could not.</param>
    /// <param name="now">The inventory's clock.</param>
    /// <param name="options">The windows.</param>
    public static (DateTimeOffset? ExpiresOn, IReadOnlyList<string> Flags) Evaluate(
        string kind,
        VaultVersionFacts? current,
        IReadOnlyList<VaultVersionFacts> versions,
        IReadOnlyList<DirectoryCredentialFacts>? directory,
        string? vaultProblem,
        string? directoryProblem,
        DateTimeOffset now,
        InventoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(options);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        if (vaultProblem is not null)
        {
            flags.Add(CredentialFlags.VaultUnreadable);
        }

        if (directoryProblem is not null)
        {
            flags.Add(CredentialFlags.DirectoryUnreadable);
        }

        var certificate = kind == VaultObject.CertificateKind;
        var matched = current is null || directory is null ? null : directory.FirstOrDefault(d => Corresponds(d, current, certificate));
        if (current is not null && current.ExpiresOn is null)
        {
            flags.Add(CredentialFlags.NoVaultExpiry);
        }

        if (current?.ExpiresOn is { } vaultEnd && matched?.EndsOn is { } graphEnd && (vaultEnd - graphEnd).Duration() > DateTolerance)
        {
            flags.Add(CredentialFlags.DatesDisagree);
        }

        var expiresOn = Earliest(current?.ExpiresOn, matched?.EndsOn);
        if (expiresOn is { } expires)
        {
            var left = expires - now;
            if (left <= TimeSpan.Zero)
            {
                flags.Add(CredentialFlags.Expired);
            }
            else if (left <= options.CriticalWindow)
            {
                flags.Add(CredentialFlags.ExpiringCritical);
            }
            else if (left <= options.WarningWindow)
            {
                flags.Add(CredentialFlags.ExpiringWarning);
            }
        }

        if (directory is not null && vaultProblem is null)
        {
            // Only the directory collection this connection uses is compared: a secret connection says nothing about certificates.
            var ownKind = certificate ? VaultObject.CertificateKind : VaultObject.SecretKind;
            var own = directory.Where(d => d.Kind == ownKind).ToList();
            var uncorrelated = own.Count(d => !versions.Any(v => Corresponds(d, v, certificate)));

            // An untagged secret (written by hand before the broker managed it) cannot be matched without reading its value:
            // it may be any one uncorrelated Graph secret, so only more uncorrelated credentials than untagged versions are orphans.
            var unmatchable = certificate ? 0 : versions.Count(v => v.GraphKeyId is null);
            if (uncorrelated > unmatchable)
            {
                flags.Add(CredentialFlags.OrphanAtAuthorizationServer);
            }

            if (versions.Any(v => v.IsTagged && !own.Any(d => Corresponds(d, v, certificate))))
            {
                flags.Add(CredentialFlags.OrphanInVault);
            }
        }

        return (expiresOn, [.. CredentialFlags.All.Where(flags.Contains)]);
    }

    /// <summary>Whether the Graph credential <paramref name="credential"/> is the one Key Vault's <paramref name="version"/> holds.</summary>
    public static bool Corresponds(DirectoryCredentialFacts credential, VaultVersionFacts version, bool certificate)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(version);
        return certificate
            ? credential.Kind == VaultObject.CertificateKind && credential.Thumbprint is { } t && string.Equals(t, version.Thumbprint, StringComparison.OrdinalIgnoreCase)
            : credential.Kind == VaultObject.SecretKind && Guid.TryParse(version.GraphKeyId, out var keyId) && keyId == credential.KeyId;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is { } x && b is { } y ? (x < y ? x : y) : a ?? b;
}
