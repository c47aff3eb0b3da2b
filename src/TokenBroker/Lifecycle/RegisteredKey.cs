namespace TokenBroker.Lifecycle;

/// <summary>A certificate registered on an application.</summary>
/// <param name="KeyId">Graph's id of the credential.</param>
/// <param name="DisplayName">The friendly name, if any.</param>
/// <param name="Thumbprint">The custom key identifier as upper-case hex: the certificate's SHA-1 thumbprint unless set otherwise.</param>
/// <param name="StartsOn">When it becomes valid, if Graph says.</param>
/// <param name="EndsOn">When it expires, if Graph says.</param>
internal sealed record RegisteredKey(Guid KeyId, string? DisplayName, string? Thumbprint, DateTimeOffset? StartsOn, DateTimeOffset? EndsOn);
