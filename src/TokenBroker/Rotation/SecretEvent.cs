namespace TokenBroker.Rotation;

/// <summary>A Key Vault secret event, reduced to what the broker acts on.</summary>
/// <param name="Type">The Event Grid event type, e.g. <c>Microsoft.KeyVault.SecretNewVersionCreated</c>.</param>
/// <param name="Vault">The vault's name.</param>
/// <param name="SecretName">The secret's name.</param>
/// <param name="Version">The version the event is about.</param>
/// <param name="ExpiresOn">The version's expiry, when the event carries one.</param>
public sealed record SecretEvent(string Type, string Vault, string SecretName, string Version, DateTimeOffset? ExpiresOn)
{
    /// <summary>A new version of a secret was stored.</summary>
    public const string NewVersionCreated = "Microsoft.KeyVault.SecretNewVersionCreated";

    /// <summary>The current version expires within 30 days.</summary>
    public const string NearExpiry = "Microsoft.KeyVault.SecretNearExpiry";

    /// <summary>The current version has expired.</summary>
    public const string Expired = "Microsoft.KeyVault.SecretExpired";
}
