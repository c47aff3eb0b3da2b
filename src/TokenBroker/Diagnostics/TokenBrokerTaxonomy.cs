using Microsoft.Extensions.Compliance.Classification;

namespace TokenBroker.Diagnostics;

/// <summary>
/// The data classifications of what the broker logs. Tokens, secrets and keys are never logged at all, so they have no
/// classification here; what is logged but identifies someone is classified, and the host decides its redactor.
/// </summary>
public static class TokenBrokerTaxonomy
{
    /// <summary>The taxonomy's name.</summary>
    public const string Name = "TokenBroker";

    /// <summary>A caller's application id or object id: loggable for audit, pseudonymizable by configuration.</summary>
    public static DataClassification CallerIdentifier { get; } = new(Name, nameof(CallerIdentifier));
}
