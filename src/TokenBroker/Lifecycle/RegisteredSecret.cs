namespace TokenBroker.Lifecycle;

/// <summary>A client secret registered on an application. Graph never returns the secret after addPassword.</summary>
/// <param name="KeyId">Graph's id of the credential; the broker tags the Key Vault version holding the secret with it.</param>
/// <param name="DisplayName">The friendly name, if any.</param>
/// <param name="StartsOn">When it becomes valid, if Graph says.</param>
/// <param name="EndsOn">When it expires, if Graph says.</param>
internal sealed record RegisteredSecret(Guid KeyId, string? DisplayName, DateTimeOffset? StartsOn, DateTimeOffset? EndsOn);
