namespace TokenBroker.IntegrationTests.Infrastructure.KeyVault;

/// <summary>
/// The attributes Key Vault keeps on a secret or certificate version, as its REST API returns them (Unix seconds on the
/// wire). <see cref="CreatedOn"/> defaults to the time the version is stored.
/// </summary>
public sealed record KeyVaultAttributes(
    bool Enabled = true,
    DateTimeOffset? NotBefore = null,
    DateTimeOffset? ExpiresOn = null,
    DateTimeOffset? CreatedOn = null,
    IReadOnlyDictionary<string, string>? Tags = null)
{
    public static KeyVaultAttributes Default { get; } = new();
}
