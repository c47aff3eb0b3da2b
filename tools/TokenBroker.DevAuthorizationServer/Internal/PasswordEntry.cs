namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>
/// One client secret of a client, as an Entra ID <c>passwordCredential</c>: the secret itself only as a SHA-256 digest,
/// the hint (its first three characters, which Graph shows), and the dates that decide when it authenticates.
/// </summary>
/// <param name="KeyId">The credential's id, as Graph names it.</param>
/// <param name="Digest">SHA-256 of the secret's UTF-8 bytes.</param>
/// <param name="DisplayName">The friendly name, if any.</param>
/// <param name="Hint">The first three characters of the secret.</param>
/// <param name="StartsOn">When the secret becomes valid; null for one configured at start.</param>
/// <param name="EndsOn">When the secret expires; null for one that never does.</param>
/// <param name="UsableFrom">When the token endpoint starts accepting it: after the propagation delay, for one added through Graph.</param>
internal sealed record PasswordEntry(
    Guid KeyId,
    byte[] Digest,
    string? DisplayName,
    string Hint,
    DateTimeOffset? StartsOn,
    DateTimeOffset? EndsOn,
    DateTimeOffset UsableFrom)
{
    public bool AuthenticatesAt(DateTimeOffset now) =>
        now >= UsableFrom && (StartsOn is not { } start || now >= start) && (EndsOn is not { } end || now < end);
}
