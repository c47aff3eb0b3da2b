namespace TokenBroker.Secrets;

/// <summary>Which older Key Vault versions (of a secret or a certificate) may still be tried during a rotation overlap.</summary>
internal static class KeyVaultVersion
{
    /// <summary>Enabled, not the latest, not expired, and already past its not-before date.</summary>
    public static bool IsOverlapCandidate(bool? enabled, string? version, string latestVersion, DateTimeOffset? expiresOn, DateTimeOffset? notBefore, DateTimeOffset now) =>
        enabled == true
        && version != latestVersion
        && (expiresOn is null || expiresOn > now)
        && (notBefore is null || notBefore <= now);
}
