using System.Security.Cryptography.X509Certificates;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>
/// One certificate of a client, as an Entra ID <c>keyCredential</c> of type <c>AsymmetricX509Cert</c> and usage
/// <c>Verify</c>: the public certificate and the dates that decide when assertions signed with its key authenticate.
/// </summary>
/// <param name="KeyId">The credential's id, as Graph names it.</param>
/// <param name="Certificate">The certificate, public part only.</param>
/// <param name="DisplayName">The friendly name, if any.</param>
/// <param name="StartsOn">When the credential becomes valid; the certificate's not-before unless Graph was told otherwise.</param>
/// <param name="EndsOn">When the credential expires; the certificate's not-after unless Graph was told otherwise.</param>
/// <param name="UsableFrom">When the token endpoint starts accepting it: after the propagation delay, for one added through Graph.</param>
internal sealed record KeyEntry(
    Guid KeyId,
    X509Certificate2 Certificate,
    string? DisplayName,
    DateTimeOffset StartsOn,
    DateTimeOffset EndsOn,
    DateTimeOffset UsableFrom)
{
    /// <summary>Valid by its dates now, propagated or not: what Graph checks a proof of possession against.</summary>
    public bool IsValidAt(DateTimeOffset now) => now >= StartsOn && now < EndsOn;

    public bool AuthenticatesAt(DateTimeOffset now) => now >= UsableFrom && IsValidAt(now);
}
