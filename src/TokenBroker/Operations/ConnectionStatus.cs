using TokenBroker.Lifecycle.Inventory;
using TokenBroker.Lifecycle.Rotation;

namespace TokenBroker.Operations;

/// <summary>What operators see of one connection: its settings that are not secret, and each cached entry. Never a token.</summary>
/// <param name="Name">The connection.</param>
/// <param name="TokenEndpoint">Its token endpoint.</param>
/// <param name="ClientId">Its client id.</param>
/// <param name="AuthMethod">How it authenticates.</param>
/// <param name="Entries">Its cache entries, one per scope set.</param>
/// <param name="Holders">The callers that received its current tokens from the instance that answered (the memory tier is per instance).</param>
/// <param name="SharedTier">
/// The shared tier's state on this instance: <c>ok</c>, <c>checking</c>, <c>no_cache_key</c> (Development only),
/// <c>forbidden</c> (Table Storage answered 403) or <c>unavailable</c>; the same for every connection.
/// </param>
/// <param name="Credential">The credential expiry inventory of the connection, as last taken; null until the first one.</param>
/// <param name="Rotation">The connection's automatic rotation (the latest one, running or done); null when it never had one.</param>
internal sealed record ConnectionStatus(string Name, string TokenEndpoint, string ClientId, string AuthMethod, IReadOnlyList<CacheEntryStatus> Entries, IReadOnlyList<TokenHolderStatus> Holders, string SharedTier, CredentialStatus? Credential, RotationStatus? Rotation = null);
