namespace TokenBroker.IntegrationTests.Infrastructure.KeyVault;

/// <summary>One stored version of a secret (and, for a certificate, its public certificate).</summary>
internal sealed record KeyVaultVersion(string Name, string Version, string Value, string? ContentType, KeyVaultAttributes Attributes, DateTimeOffset Created, byte[]? Cer)
{
    public DateTimeOffset Updated { get; init; } = Created;

    /// <summary>A certificate's SHA-1 thumbprint, base64url: the <c>x5t</c> Key Vault reports.</summary>
    public string? X5t { get; init; }
}
