namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// One connection's credential as the inventory found it: what Key Vault and (for Entra ID) Graph say, and the flags.
/// Stored compactly in the shared table (partition <see cref="InventoryStore.Partition"/>), never with a secret value.
/// </summary>
/// <param name="Connection">The connection's name.</param>
/// <param name="TakenAt">When it was read.</param>
/// <param name="Source">Where the credential lives: <c>key_vault</c>, <c>configuration</c> (Development) or <c>none</c> (federated: nothing is stored).</param>
/// <param name="Kind"><c>secret</c> or <c>certificate</c>; null when nothing is stored.</param>
/// <param name="Name">The Key Vault object's name.</param>
/// <param name="Current">The current version: the latest enabled one.</param>
/// <param name="Versions">Every enabled version, newest first, capped at <see cref="InventoryRules.MaxListed"/>.</param>
/// <param name="DirectoryCredentials">The app registration's credentials (Entra ID only; null when not read).</param>
/// <param name="VaultProblem">Why Key Vault could not be read: <c>not_found</c>, <c>forbidden</c>, <c>unavailable</c>, <c>no_enabled_version</c>.</param>
/// <param name="DirectoryProblem">Why Graph could not be read: <c>forbidden</c>, <c>not_found</c>, <c>unauthenticated</c>, <c>rejected</c>, <c>unavailable</c>.</param>
/// <param name="ExpiresOn">When the current credential expires: the earlier of its vault expiry and its Graph end; null when unknown.</param>
/// <param name="Flags">The problems found, codes of <see cref="CredentialFlags"/>.</param>
/// <param name="Note">What the inventory cannot know for this connection, in words.</param>
internal sealed record CredentialInventory(
    string Connection,
    DateTimeOffset TakenAt,
    string Source,
    string? Kind,
    string? Name,
    VaultVersionFacts? Current,
    IReadOnlyList<VaultVersionFacts> Versions,
    IReadOnlyList<DirectoryCredentialFacts>? DirectoryCredentials,
    string? VaultProblem,
    string? DirectoryProblem,
    DateTimeOffset? ExpiresOn,
    IReadOnlyList<string> Flags,
    string? Note);

/// <summary>A Key Vault version's properties; never its value.</summary>
/// <param name="Version">The version id.</param>
/// <param name="CreatedOn">When it was created.</param>
/// <param name="NotBefore">Its <c>nbf</c>, if set.</param>
/// <param name="ExpiresOn">Its <c>exp</c>, if set.</param>
/// <param name="Enabled">Whether it is enabled.</param>
/// <param name="GraphKeyId">Its <c>graph-key-id</c> tag: the Graph credential it holds, when the broker wrote it.</param>
/// <param name="Rotation">Its <c>tokenbroker-rotation</c> tag.</param>
/// <param name="Thumbprint">A certificate's SHA-1 thumbprint (upper-case hex, from <c>x5t</c>).</param>
internal sealed record VaultVersionFacts(
    string Version,
    DateTimeOffset? CreatedOn,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    bool Enabled,
    string? GraphKeyId,
    string? Rotation,
    string? Thumbprint)
{
    /// <summary>Whether the broker wrote this version (it carries a lifecycle tag).</summary>
    public bool IsTagged => GraphKeyId is not null || Rotation is not null;
}

/// <summary>A credential on an Entra ID app registration, as Graph lists it; never a secret nor its hint.</summary>
/// <param name="KeyId">Graph's <c>keyId</c>.</param>
/// <param name="Kind"><c>secret</c> (a password credential) or <c>certificate</c> (a key credential).</param>
/// <param name="DisplayName">Its display name.</param>
/// <param name="StartsOn">Graph's <c>startDateTime</c>.</param>
/// <param name="EndsOn">Graph's <c>endDateTime</c>.</param>
/// <param name="Thumbprint">A certificate's <c>customKeyIdentifier</c> (upper-case hex).</param>
internal sealed record DirectoryCredentialFacts(Guid KeyId, string Kind, string? DisplayName, DateTimeOffset? StartsOn, DateTimeOffset? EndsOn, string? Thumbprint);
