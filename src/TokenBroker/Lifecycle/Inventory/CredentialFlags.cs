namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// The problems the inventory flags, as stable snake_case codes: the same words in the ops listing, in the
/// <c>flag</c> tag of <c>tokenbroker.credential.problems</c> and in docs/credential-lifecycle.md.
/// </summary>
internal static class CredentialFlags
{
    /// <summary>The current credential expires within the warning window, but not within the critical one.</summary>
    public const string ExpiringWarning = "expiring_warning";

    /// <summary>The current credential expires within the critical window (and has not expired).</summary>
    public const string ExpiringCritical = "expiring_critical";

    /// <summary>The current credential has expired.</summary>
    public const string Expired = "expired";

    /// <summary>The current Key Vault version has no expiry (<c>exp</c>).</summary>
    public const string NoVaultExpiry = "no_vault_expiry";

    /// <summary>The current Key Vault version's expiry and its Graph credential's end differ by more than a minute.</summary>
    public const string DatesDisagree = "dates_disagree";

    /// <summary>A credential on the app registration that no enabled Key Vault version holds.</summary>
    public const string OrphanAtAuthorizationServer = "orphan_at_authorization_server";

    /// <summary>An enabled Key Vault version the broker wrote (tagged) whose Graph credential is gone.</summary>
    public const string OrphanInVault = "orphan_in_vault";

    /// <summary>Graph refused or could not be reached; the directory side is unknown.</summary>
    public const string DirectoryUnreadable = "directory_unreadable";

    /// <summary>Key Vault refused or could not be reached; the vault side is unknown.</summary>
    public const string VaultUnreadable = "vault_unreadable";

    /// <summary>Every flag, in the order the listing shows them.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Expired, ExpiringCritical, ExpiringWarning, NoVaultExpiry, DatesDisagree,
        OrphanAtAuthorizationServer, OrphanInVault, DirectoryUnreadable, VaultUnreadable,
    ];
}
