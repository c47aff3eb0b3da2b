namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// What the ops listing shows of a connection's credential: the stored inventory, never a secret value nor Graph's
/// <c>hint</c> (three characters of the secret: a piece of it, and the key id identifies the credential without it).
/// </summary>
/// <param name="TakenAt">When the inventory was taken (the refresh run takes it every <c>Interval</c>).</param>
/// <param name="Source"><c>key_vault</c>, <c>configuration</c> (Development: no dates known) or <c>none</c> (federated: nothing stored, nothing expires).</param>
/// <param name="Kind"><c>secret</c> or <c>certificate</c>.</param>
/// <param name="Name">The Key Vault object's name.</param>
/// <param name="Version">The current version: the latest enabled one.</param>
/// <param name="Created">When the current version was created.</param>
/// <param name="NotBefore">The current version's not-before.</param>
/// <param name="Expires">When the current credential expires: the earlier of the vault's expiry and Graph's end date.</param>
/// <param name="SecondsLeft">Seconds from now until <paramref name="Expires"/>; negative once expired.</param>
/// <param name="DirectoryCredentials">The app registration's credentials (Entra ID only).</param>
/// <param name="Flags">The problems found: stable codes, the <c>flag</c> tag of <c>tokenbroker.credential.problems</c>.</param>
/// <param name="VaultProblem">Why Key Vault could not be read.</param>
/// <param name="DirectoryProblem">Why Graph could not be read (<c>forbidden</c>: the identity lacks Application.ReadWrite.OwnedBy or ownership).</param>
/// <param name="Note">What cannot be known for this connection.</param>
internal sealed record CredentialStatus(
    DateTimeOffset TakenAt,
    string Source,
    string? Kind,
    string? Name,
    string? Version,
    DateTimeOffset? Created,
    DateTimeOffset? NotBefore,
    DateTimeOffset? Expires,
    long? SecondsLeft,
    IReadOnlyList<DirectoryCredentialStatus>? DirectoryCredentials,
    IReadOnlyList<string> Flags,
    string? VaultProblem,
    string? DirectoryProblem,
    string? Note)
{
    /// <summary>The listing's view of <paramref name="inventory"/> at <paramref name="now"/>; null when none was taken.</summary>
    public static CredentialStatus? From(CredentialInventory? inventory, DateTimeOffset now) => inventory is null ? null : new(
        inventory.TakenAt,
        inventory.Source,
        inventory.Kind,
        inventory.Name,
        inventory.Current?.Version,
        inventory.Current?.CreatedOn,
        inventory.Current?.NotBefore,
        inventory.ExpiresOn,
        inventory.ExpiresOn is { } expires ? (long)Math.Floor((expires - now).TotalSeconds) : null,
        inventory.DirectoryCredentials?.Select(d => new DirectoryCredentialStatus(d.KeyId, d.Kind, d.DisplayName, d.StartsOn, d.EndsOn)).ToList(),
        inventory.Flags,
        inventory.VaultProblem,
        inventory.DirectoryProblem,
        inventory.Note);
}

/// <summary>A credential on the app registration, as the listing shows it.</summary>
/// <param name="KeyId">Graph's <c>keyId</c> (the <c>graph-key-id</c> tag of the vault version holding it).</param>
/// <param name="Kind"><c>secret</c> or <c>certificate</c>.</param>
/// <param name="DisplayName">Its display name.</param>
/// <param name="Start">Graph's <c>startDateTime</c>.</param>
/// <param name="End">Graph's <c>endDateTime</c>.</param>
internal sealed record DirectoryCredentialStatus(Guid KeyId, string Kind, string? DisplayName, DateTimeOffset? Start, DateTimeOffset? End);
