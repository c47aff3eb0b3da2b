using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

[Collection(SharedBicepRun.Name)]
public sealed class RoleAssignmentTests(InfraFixture infra)
{
    private const string Broker = "broker";
    private const string EventGrid = "eventGrid";
    private const string VaultOperator = "33333333-3333-3333-3333-333333333333";

    /// <summary>Every assignment of a default deployment: role, holder, and the resource it is made on.</summary>
    private static readonly (string Role, string Holder, string ScopeType, string ScopeName)[] LeastPrivilege =
    [
        (BuiltInRoles.KeyVaultSecretsUser, Broker, "Microsoft.KeyVault/vaults", "kv-*"),
        (BuiltInRoles.StorageTableDataContributor, Broker, "Microsoft.Storage/storageAccounts/tableServices/tables", "TokenCache"),
        (BuiltInRoles.StorageQueueDataReader, Broker, "Microsoft.Storage/storageAccounts/queueServices/queues", "secret-rotation-events"),
        (BuiltInRoles.StorageQueueDataMessageProcessor, Broker, "Microsoft.Storage/storageAccounts/queueServices/queues", "secret-rotation-events"),
        (BuiltInRoles.StorageQueueDataContributor, Broker, "Microsoft.Storage/storageAccounts/queueServices/queues", "secret-rotation-events-poison"),
        (BuiltInRoles.StorageBlobDataOwner, Broker, "Microsoft.Storage/storageAccounts/blobServices/containers", "app-package"),
        (BuiltInRoles.StorageBlobDataOwner, Broker, "Microsoft.Storage/storageAccounts/blobServices/containers", "azure-webjobs-hosts"),
        (BuiltInRoles.StorageBlobDataOwner, Broker, "Microsoft.Storage/storageAccounts/blobServices/containers", "azure-webjobs-secrets"),
        (BuiltInRoles.MonitoringMetricsPublisher, Broker, "Microsoft.Insights/components", "appi-*"),
        (BuiltInRoles.StorageQueueDataMessageSender, EventGrid, "Microsoft.Storage/storageAccounts/queueServices/queues", "secret-rotation-events"),
    ];

    [Fact]
    public void Role_definitions_are_exactly_the_least_privilege_set()
    {
        var used = infra.Snapshot("main").RoleAssignments.Select(a => a.RoleDefinitionId).ToHashSet();

        Assert.Equal(LeastPrivilege.Select(a => a.Role).ToHashSet(), used);
    }

    [Fact]
    public void Every_role_is_assigned_on_the_one_resource_it_concerns()
    {
        var snapshot = infra.Snapshot("main");

        Assert.Equal(Describe(LeastPrivilege), Describe(Resolve(snapshot)));
    }

    [Fact]
    public void Optional_assignments_appear_only_when_their_feature_is_on()
    {
        var expected = LeastPrivilege.Concat(
        [
            (BuiltInRoles.StorageBlobDataContributor, EventGrid, "Microsoft.Storage/storageAccounts/blobServices/containers", "eventgrid-deadletter"),
            (BuiltInRoles.KeyVaultSecretsOfficer, VaultOperator, "Microsoft.KeyVault/vaults", "kv-*"),
        ]);

        Assert.Equal(Describe(expected), Describe(Resolve(infra.Snapshot("locked-down"))));
        Assert.Equal(Describe(LeastPrivilege), Describe(Resolve(infra.Snapshot("elastic-premium"))));
    }

    [Fact]
    public void A_private_key_jwt_connection_adds_key_vault_certificate_user_for_the_broker_on_the_vault()
    {
        var expected = LeastPrivilege.Append((BuiltInRoles.KeyVaultCertificateUser, Broker, "Microsoft.KeyVault/vaults", "kv-*"));

        Assert.Equal(Describe(expected), Describe(Resolve(infra.Snapshot("two-connections"))));
        Assert.Equal(BuiltInRoles.KeyVaultCertificateUser, infra.Templates["modules/role-assignments.bicep"].Root.At("variables.roleIds").At("Key Vault Certificate User").GetString());
    }

    [Fact]
    public void No_template_grants_owner_contributor_or_access_administration()
    {
        foreach (var role in BuiltInRoles.Privileged)
        {
            Assert.All(infra.Templates.Values, t => Assert.DoesNotContain(role, t.Text, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(role, infra.Snapshot("main").Text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(role, infra.Snapshot("locked-down").Text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void No_role_is_assigned_on_the_resource_group_or_subscription()
    {
        Assert.All(infra.Snapshot("locked-down").RoleAssignments, a => Assert.Contains("/providers/", a.Scope, StringComparison.Ordinal));
        Assert.All(
            infra.Main.OfType("Microsoft.Authorization/roleAssignments"),
            a => Assert.StartsWith("[resourceId(", a.At("scope").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Role_assignment_names_are_deterministic_guids_of_scope_principal_and_role()
    {
        var declared = infra.Templates["modules/role-assignments.bicep"].OfType("Microsoft.Authorization/roleAssignments");

        Assert.NotEmpty(declared);
        Assert.All(declared, a =>
        {
            var name = a.At("name").GetString()!;
            var scope = a.At("scope").GetString()!;
            Assert.StartsWith($"[guid({scope[1..^1]}, parameters('", name, StringComparison.Ordinal);
            Assert.EndsWith("PrincipalId'), variables('roleIds')", name[..name.LastIndexOf('[')], StringComparison.Ordinal);
        });

        // The one assignment whose principal is a parameter evaluates fully: a GUID, the same on every run.
        var operatorAssignment = Assert.Single(infra.Snapshot("locked-down").RoleAssignments, a => a.Holder == VaultOperator);
        Assert.True(Guid.TryParse(operatorAssignment.Name, out _), operatorAssignment.Name);
    }

    [Fact]
    public void Role_map_names_each_built_in_role_beside_its_id()
    {
        var roleIds = infra.Templates["modules/role-assignments.bicep"].Root.At("variables.roleIds");

        Assert.Equal(BuiltInRoles.KeyVaultSecretsUser, roleIds.At("Key Vault Secrets User").GetString());
        Assert.Equal(BuiltInRoles.StorageBlobDataOwner, roleIds.At("Storage Blob Data Owner").GetString());
        Assert.Equal(BuiltInRoles.StorageTableDataContributor, roleIds.At("Storage Table Data Contributor").GetString());
        Assert.Equal(BuiltInRoles.StorageQueueDataMessageProcessor, roleIds.At("Storage Queue Data Message Processor").GetString());
        Assert.All(roleIds.EnumerateObject(), role => Assert.DoesNotContain(role.Value.GetString(), BuiltInRoles.Privileged));
    }

    [Fact]
    public void Managed_identities_are_assigned_as_service_principals()
    {
        Assert.All(
            infra.Snapshot("locked-down").RoleAssignments.Where(a => a.Holder is Broker or EventGrid),
            a => Assert.Equal("ServicePrincipal", a.PrincipalType));
    }

    private static IEnumerable<(string Role, string Holder, string ScopeType, string ScopeName)> Resolve(DeploymentSnapshot snapshot)
    {
        var byId = snapshot.Resources.ToDictionary(r => r.At("id").GetString()!, StringComparer.OrdinalIgnoreCase);
        foreach (var assignment in snapshot.RoleAssignments)
        {
            Assert.True(byId.TryGetValue(assignment.Scope, out var scope), $"Role {assignment.RoleDefinitionId} is assigned on {assignment.Scope}, which the deployment does not create.");
            var name = scope.At("name").GetString()!.Split('/')[^1];
            yield return (assignment.RoleDefinitionId, assignment.Holder, scope.At("type").GetString()!, Generalize(name));
        }
    }

    // Generated names carry the deployment's resource token; "kv-*" stands for any of them.
    private static string Generalize(string name) =>
        name.StartsWith("kv-", StringComparison.Ordinal) ? "kv-*"
        : name.StartsWith("appi-", StringComparison.Ordinal) ? "appi-*"
        : name;

    private static List<string> Describe(IEnumerable<(string Role, string Holder, string ScopeType, string ScopeName)> assignments) =>
        assignments.Select(a => $"{a.Role} for {a.Holder} on {a.ScopeType} {a.ScopeName}").Order(StringComparer.Ordinal).ToList();
}
