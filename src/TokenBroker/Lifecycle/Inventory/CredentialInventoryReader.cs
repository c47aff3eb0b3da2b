using Azure;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Secrets;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// Reads one connection's credential from Key Vault (version properties only: a value is never read) and, for Entra ID
/// connections, from Graph, and applies <see cref="InventoryRules"/>. A source that fails is named in the result; it
/// never throws for an outage, so one unreadable connection leaves the others' inventory intact.
/// </summary>
internal sealed class CredentialInventoryReader(
    Lazy<SecretClient>? secrets,
    Lazy<CertificateClient>? certificates,
    Lazy<AppRegistrationClient> directory,
    TimeProvider time,
    InventoryOptions options)
{
    /// <summary>The inventory of <paramref name="connection"/> now.</summary>
    public async Task<CredentialInventory> ReadAsync(Connection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var now = time.GetUtcNow();
        if (connection.Credential.VaultObject is not { } stored)
        {
            return new CredentialInventory(connection.Name, now, "none", null, null, null, [], null, null, null, null, [],
                "Federated credential: nothing is stored, so nothing expires.");
        }

        if (secrets is null || certificates is null)
        {
            return new CredentialInventory(connection.Name, now, "configuration", stored.Kind, stored.Name, null, [], null, null, null, null, [],
                "Local configuration (Development): no dates are known.");
        }

        var certificate = stored.Kind == VaultObject.CertificateKind;
        var (versions, vaultProblem) = await ReadVaultAsync(stored, certificate, cancellationToken);
        IReadOnlyList<DirectoryCredentialFacts>? registered = null;
        string? directoryProblem = null;
        if (connection.Lifecycle.Directory == CredentialDirectory.EntraId)
        {
            (registered, directoryProblem) = await ReadDirectoryAsync(connection.ClientId, cancellationToken);
        }

        var enabled = versions.Where(v => v.Enabled).OrderByDescending(v => v.CreatedOn).ToList();
        var current = enabled.FirstOrDefault();
        if (vaultProblem is null && current is null)
        {
            vaultProblem = "no_enabled_version";
        }

        var (expiresOn, flags) = InventoryRules.Evaluate(stored.Kind, current, enabled, registered, vaultProblem, directoryProblem, now, options);
        var note = !certificate && enabled.Any(v => v.GraphKeyId is null) && registered is not null
            ? "Versions without the graph-key-id tag cannot be matched with a Graph credential: the inventory never reads a secret's value."
            : null;
        return new CredentialInventory(
            connection.Name, now, "key_vault", stored.Kind, stored.Name, current,
            [.. enabled.Take(InventoryRules.MaxListed)],
            registered is null ? null : [.. registered.Take(InventoryRules.MaxListed)],
            vaultProblem, directoryProblem, expiresOn, flags, note);
    }

    private async Task<(List<VaultVersionFacts> Versions, string? Problem)> ReadVaultAsync(VaultObject stored, bool certificate, CancellationToken cancellationToken)
    {
        var versions = new List<VaultVersionFacts>();
        try
        {
            if (certificate)
            {
                await foreach (var p in certificates!.Value.GetPropertiesOfCertificateVersionsAsync(stored.Name, cancellationToken))
                {
                    versions.Add(new VaultVersionFacts(p.Version, p.CreatedOn, p.NotBefore, p.ExpiresOn, p.Enabled ?? true, Tag(p.Tags, VaultTags.GraphKeyId), Tag(p.Tags, VaultTags.Rotation),
                        p.X509Thumbprint is { Length: > 0 } thumbprint ? Convert.ToHexString(thumbprint) : null));
                }
            }
            else
            {
                await foreach (var p in secrets!.Value.GetPropertiesOfSecretVersionsAsync(stored.Name, cancellationToken))
                {
                    versions.Add(new VaultVersionFacts(p.Version, p.CreatedOn, p.NotBefore, p.ExpiresOn, p.Enabled ?? true, Tag(p.Tags, VaultTags.GraphKeyId), Tag(p.Tags, VaultTags.Rotation), null));
                }
            }

            return (versions, null);
        }
        catch (Exception ex) when (KeyVaultFailure.IsUnavailable(ex, cancellationToken))
        {
            return ([], ex switch
            {
                RequestFailedException { Status: 404 } => "not_found",
                RequestFailedException { Status: 401 or 403 } => "forbidden",
                _ => "unavailable",
            });
        }
    }

    private async Task<(IReadOnlyList<DirectoryCredentialFacts>? Credentials, string? Problem)> ReadDirectoryAsync(string clientId, CancellationToken cancellationToken)
    {
        try
        {
            var application = await directory.Value.GetAsync(clientId, cancellationToken);
            return ([
                .. application.Secrets.Select(s => new DirectoryCredentialFacts(s.KeyId, VaultObject.SecretKind, s.DisplayName, s.StartsOn, s.EndsOn, null)),
                .. application.Keys.Select(k => new DirectoryCredentialFacts(k.KeyId, VaultObject.CertificateKind, k.DisplayName, k.StartsOn, k.EndsOn, k.Thumbprint)),
            ], null);
        }
        catch (AppRegistrationException ex)
        {
            return (null, ex.Error switch
            {
                AppRegistrationError.Forbidden => "forbidden",
                AppRegistrationError.NotFound => "not_found",
                AppRegistrationError.Unauthenticated => "unauthenticated",
                AppRegistrationError.Rejected => "rejected",
                _ => "unavailable",
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // No token for Graph (the identity endpoint failed) surfaces from the credential, not as a Graph answer.
            return (null, "unavailable");
        }
    }

    private static string? Tag(IDictionary<string, string>? tags, string name) =>
        tags is not null && tags.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}
