namespace TokenBroker.Infra.Tests.Bicep;

/// <summary>A role assignment as a deployment snapshot predicts it.</summary>
/// <param name="RoleDefinitionId">The built-in role's GUID (last segment of roleDefinitionId).</param>
/// <param name="Scope">Resource id the assignment is made on.</param>
/// <param name="PrincipalId">The principal: a GUID, or the expression reading an identity module's output.</param>
/// <param name="PrincipalType">ServicePrincipal for managed identities; null when left to Azure to look up.</param>
/// <param name="Name">The assignment name: a guid() expression, or its value once every input is known.</param>
internal sealed record RoleAssignment(string RoleDefinitionId, string Scope, string PrincipalId, string? PrincipalType, string Name)
{
    /// <summary>
    /// Which identity holds the role: the broker's, the Event Grid system topic's, the deploying principal, or a principal
    /// given as a parameter.
    /// </summary>
    public string Holder =>
        PrincipalId.Contains("'brokerIdentity", StringComparison.Ordinal) ? "broker"
        : PrincipalId.Contains("/Microsoft.EventGrid/systemTopics/", StringComparison.Ordinal) && PrincipalId.Contains(".identity.principalId", StringComparison.Ordinal) ? "eventGrid"
        : PrincipalId == "[deployer().objectId]" ? "deployer"
        : Guid.TryParse(PrincipalId, out _) ? PrincipalId
        : $"unknown: {PrincipalId}";
}
