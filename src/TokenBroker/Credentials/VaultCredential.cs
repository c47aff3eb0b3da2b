using TokenBroker.Connections;

namespace TokenBroker.Credentials;

/// <summary>
/// A credential kept as a versioned Key Vault object (a secret, a certificate) and read through the one
/// <see cref="CredentialCache"/>: it rotates, so a refused version is reloaded, previous versions are tried and the one
/// that works is pinned.
/// </summary>
internal abstract class VaultCredential : ConnectionCredential
{
    private readonly VaultObject _stored;

    private protected VaultCredential(ClientAuthMethod method, VaultObject stored)
        : base(method) => _stored = stored;

    public override string Kind => _stored.Kind;

    public override string Name => _stored.Name;

    public override bool CanRotate => true;

    public override VaultObject? VaultObject => _stored;

    public override ValueTask<ClientCredential> GetAsync(CredentialServices services, CancellationToken cancellationToken) =>
        services.Cache.GetAsync(_stored, cancellationToken);

    public override ValueTask<ClientCredential> ReloadAsync(CredentialServices services, CancellationToken cancellationToken) =>
        services.Cache.ReloadAsync(_stored, cancellationToken);

    public override ValueTask<IReadOnlyList<ClientCredential>> GetPreviousVersionsAsync(CredentialServices services, string latestVersion, CancellationToken cancellationToken) =>
        services.Cache.GetPreviousVersionsAsync(_stored, latestVersion, cancellationToken);

    public override void Pin(CredentialServices services, ClientCredential credential) => services.Cache.Pin(_stored, credential);

    /// <summary>Checks the setting <paramref name="key"/> that names the Key Vault object holding a credential.</summary>
    internal static void ValidateName(string key, string? value, bool required, string kind, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add($"{key} is required.");
            }
        }
        else if (!UriRules.IsVaultObjectName(value.Trim()))
        {
            errors.Add(UriRules.NotAVaultObjectName(key, kind));
        }
    }
}
