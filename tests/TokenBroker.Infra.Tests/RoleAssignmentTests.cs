using System.Text.RegularExpressions;
using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

[Collection(SharedBicepRun.Name)]
public sealed partial class RoleAssignmentTests(InfraFixture infra)
{
    private const string Broker = "broker";
    private const string EventGrid = "eventGrid";
    private const string Deployer = "deployer";
    private const string VaultOperator = "33333333-3333-3333-3333-333333333333";
    private const string Account = "Microsoft.Storage/storageAccounts";
    private const string Queue = "Microsoft.Storage/storageAccounts/queueServices/queues";
    private const string Container = "Microsoft.Storage/storageAccounts/blobServices/containers";
    private const string Vault = "Microsoft.KeyVault/vaults";
    private const string Secret = "Microsoft.KeyVault/vaults/secrets";

    /// <summary>Every parameter file that must deploy.</summary>
    public static TheoryData<string> DeployableParameterFiles => [.. Deployable];

    private static readonly string[] Deployable =
        ["main", "two-connections", "locked-down", "elastic-premium", "connection-names", "redeployment", "automatic-rotation"];

    /// <summary>
    /// Every assignment of a deployment with nothing optional: role, holder, and the resource it is made on. Host storage
    /// follows the Functions documentation for an identity-based AzureWebJobsStorage ("Connecting to host storage with
    /// an identity", https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity):
    /// Storage Blob Data Owner for the host, plus Storage Table Data Contributor "with support for diagnostic events",
    /// which the host writes to tables it creates; the queue trigger gets the roles its binding documentation names
    /// (Storage Queue Data Reader and Message Processor).
    /// </summary>
    private static readonly (BuiltInRole Role, string Holder, string ScopeType, string ScopeName)[] Minimal =
    [
        (BuiltInRoles.KeyVaultSecretsUser, Broker, Vault, "kv-*"),
        (BuiltInRoles.StorageBlobDataOwner, Broker, Account, "st*"),
        (BuiltInRoles.StorageTableDataContributor, Broker, Account, "st*"),
        (BuiltInRoles.StorageQueueDataReader, Broker, Queue, "secret-rotation-events"),
        (BuiltInRoles.StorageQueueDataMessageProcessor, Broker, Queue, "secret-rotation-events"),
        (BuiltInRoles.StorageQueueDataContributor, Broker, Queue, "secret-rotation-events-poison"),
        (BuiltInRoles.MonitoringMetricsPublisher, Broker, "Microsoft.Insights/components", "appi-*"),
        (BuiltInRoles.StorageQueueDataMessageSender, EventGrid, Queue, "secret-rotation-events"),
    ];

    private static readonly (BuiltInRole Role, string Holder, string ScopeType, string ScopeName)[] DeployerStoresFirstSecrets =
    [
        (BuiltInRoles.KeyVaultSecretsOfficer, Deployer, Vault, "kv-*"),
        (BuiltInRoles.KeyVaultCertificatesOfficer, Deployer, Vault, "kv-*"),
    ];

    [Theory]
    [MemberData(nameof(DeployableParameterFiles))]
    public void Every_assigned_role_is_a_built_in_role_verified_against_two_public_sources(string parameterFile)
    {
        var assignments = infra.Snapshot(parameterFile).RoleAssignments;

        Assert.NotEmpty(assignments);
        Assert.All(assignments, a =>
        {
            var role = BuiltInRoles.ById(a.RoleDefinitionId);
            Assert.True(role is not null, $"{parameterFile}: role definition {a.RoleDefinitionId} is not in the verified table of BuiltInRoles.");
            Assert.True(role!.VerifiedAt.Length >= 2, $"{role.Name} needs two sources.");
        });
    }

    [Fact]
    public void The_role_map_names_each_role_as_the_verified_table_does()
    {
        // roles.bicep keys are the role names in camel case: "storageBlobDataOwner" must hold Storage Blob Data Owner's id.
        var roles = infra.Templates["modules/roles.bicep"].Root.At("variables.builtInRoles");

        Assert.All(roles.EnumerateObject(), entry =>
        {
            var role = BuiltInRoles.ById(entry.Value.GetString()!);
            Assert.True(role is not null, $"{entry.Name} = {entry.Value} is not a verified built-in role id.");
            Assert.Equal(role!.Name.Replace(" ", string.Empty, StringComparison.Ordinal), entry.Name, StringComparer.OrdinalIgnoreCase);
        });
        Assert.Equal(BuiltInRoles.Assignable.Length, roles.EnumerateObject().Count());
    }

    [Fact]
    public void Storage_blob_data_owner_is_the_documented_id()
    {
        Assert.Equal("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", infra.Templates["modules/roles.bicep"].Root.At("variables.builtInRoles.storageBlobDataOwner").GetString());
        Assert.Contains(infra.Snapshot("main").RoleAssignments, a => a.RoleDefinitionId == BuiltInRoles.StorageBlobDataOwner.Id);
    }

    [Fact]
    public void Default_deployment_grants_the_documented_host_storage_roles_and_the_deployer_vault_access()
    {
        Assert.Equal(Describe(Minimal.Concat(DeployerStoresFirstSecrets)), Describe(Resolve(infra.Snapshot("main"))));
    }

    [Fact]
    public void Optional_assignments_appear_only_when_their_feature_is_on()
    {
        var lockedDown = Minimal.Concat(
        [
            (BuiltInRoles.StorageBlobDataContributor, EventGrid, Container, "eventgrid-deadletter"),
            (BuiltInRoles.KeyVaultSecretsOfficer, VaultOperator, Vault, "kv-*"),
            (BuiltInRoles.KeyVaultCertificatesOfficer, VaultOperator, Vault, "kv-*"),
        ]);
        var elasticPremium = Minimal.Concat(DeployerStoresFirstSecrets).Append((BuiltInRoles.StorageBlobDataContributor, Deployer, Container, "app-package"));

        Assert.Equal(Describe(lockedDown), Describe(Resolve(infra.Snapshot("locked-down"))));
        Assert.Equal(Describe(elasticPremium), Describe(Resolve(infra.Snapshot("elastic-premium"))));
        Assert.Equal(Describe(Minimal), Describe(Resolve(infra.Snapshot("connection-names"))));
    }

    [Fact]
    public void A_private_key_jwt_connection_adds_key_vault_certificate_user_for_the_broker_on_the_vault()
    {
        var expected = Minimal.Append((BuiltInRoles.KeyVaultCertificateUser, Broker, Vault, "kv-*"));

        Assert.Equal(Describe(expected), Describe(Resolve(infra.Snapshot("two-connections"))));
    }

    /// <summary>
    /// automatic-rotation.bicepparam: three Entra ID secret connections in automatic rotation (one of them
    /// client_secret_post, two sharing one secret, which gets one assignment), a private_key_jwt connection in automatic rotation, a secret connection in manual mode and
    /// one at another authorization server. The broker must write new versions of the two rotating secrets and disable
    /// old ones, and nothing else. Azure RBAC for Key Vault "allows users to have separate permissions on individual
    /// keys, secrets, and certificates" (https://learn.microsoft.com/azure/key-vault/general/rbac-guide, read
    /// 2026-11-29), and Key Vault Secrets Officer is the built-in role that may "perform any action on the secrets of a
    /// key vault, except manage permissions" (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-officer:
    /// data action Microsoft.KeyVault/vaults/secrets/*). The certificate connection adds only Key Vault Certificate
    /// User, whose data actions are certificates/read, secrets/getSecret, secrets/readMetadata and keys/read (same
    /// page, #key-vault-certificate-user): Key Vault's renewal policy makes the new version, and the old key is
    /// retired at Entra ID, so the broker never writes a certificate.
    /// </summary>
    [Fact]
    public void Automatic_rotation_gives_the_broker_secrets_officer_on_each_rotating_secret_and_nothing_more()
    {
        var expected = Minimal.Concat(
        [
            (BuiltInRoles.KeyVaultCertificateUser, Broker, Vault, "kv-*"),
            (BuiltInRoles.KeyVaultSecretsOfficer, Broker, Secret, "payments-eu-client-secret"),
            (BuiltInRoles.KeyVaultSecretsOfficer, Broker, Secret, "crm-client-secret"),
        ]);

        Assert.Equal(Describe(expected), Describe(Resolve(infra.Snapshot("automatic-rotation"))));
    }

    [Theory]
    [MemberData(nameof(DeployableParameterFiles))]
    public void The_broker_only_reads_at_vault_scope(string parameterFile)
    {
        var onVault = infra.Snapshot(parameterFile).RoleAssignments.Where(a => a.Holder == Broker && VaultScope().IsMatch(a.Scope)).ToList();

        Assert.Contains(onVault, a => a.RoleDefinitionId == BuiltInRoles.KeyVaultSecretsUser.Id);
        Assert.All(onVault, a => Assert.Contains(a.RoleDefinitionId, new[] { BuiltInRoles.KeyVaultSecretsUser.Id, BuiltInRoles.KeyVaultCertificateUser.Id }));
    }

    [Fact]
    public void A_secret_in_manual_rotation_or_at_another_authorization_server_gets_no_write_role()
    {
        var secretScopes = Resolve(infra.Snapshot("automatic-rotation")).Where(a => a.ScopeType == Secret).Select(a => a.ScopeName).ToList();

        Assert.DoesNotContain("hr-client-secret", secretScopes);
        Assert.DoesNotContain("partner-client-secret", secretScopes);
        Assert.DoesNotContain(Resolve(infra.Snapshot("two-connections")), a => a.ScopeType == Secret);
    }

    [Fact]
    public void An_existing_application_insights_component_gets_the_publisher_role_where_it_lives()
    {
        var publisher = Assert.Single(infra.Snapshot("redeployment").RoleAssignments, a => a.RoleDefinitionId == BuiltInRoles.MonitoringMetricsPublisher.Id);

        Assert.Equal(
            "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-monitoring/providers/Microsoft.Insights/components/appi-platform",
            publisher.Scope);
    }

    [Fact]
    public void No_template_grants_owner_contributor_or_access_administration()
    {
        foreach (var role in BuiltInRoles.Privileged)
        {
            Assert.All(infra.Templates.Values, t => Assert.DoesNotContain(role.Id, t.Text, StringComparison.OrdinalIgnoreCase));
            foreach (var file in Deployable)
            {
                Assert.DoesNotContain(role.Id, infra.Snapshot(file).Text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public void No_role_is_assigned_on_the_resource_group_or_subscription()
    {
        Assert.All(infra.Snapshot("locked-down").RoleAssignments, a => Assert.Contains("/providers/", a.Scope, StringComparison.Ordinal));
        Assert.All(infra.Snapshot("main").RoleAssignments, a => Assert.Contains("/providers/", a.Scope, StringComparison.Ordinal));
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
            Assert.Contains("PrincipalId'), variables('builtInRoles').", name, StringComparison.Ordinal);
        });

        // The assignments whose principal is a parameter evaluate fully: GUIDs, the same on every run.
        var operatorAssignments = infra.Snapshot("locked-down").RoleAssignments.Where(a => a.Holder == VaultOperator).ToList();
        Assert.Equal(2, operatorAssignments.Count);
        Assert.All(operatorAssignments, a => Assert.True(Guid.TryParse(a.Name, out _), a.Name));
    }

    [Fact]
    public void Managed_identities_are_assigned_as_service_principals()
    {
        Assert.All(
            infra.Snapshot("locked-down").RoleAssignments.Where(a => a.Holder is Broker or EventGrid),
            a => Assert.Equal("ServicePrincipal", a.PrincipalType));
    }

    private static IEnumerable<(BuiltInRole Role, string Holder, string ScopeType, string ScopeName)> Resolve(DeploymentSnapshot snapshot)
    {
        var byId = snapshot.Resources.ToDictionary(r => r.At("id").GetString()!, StringComparer.OrdinalIgnoreCase);
        foreach (var assignment in snapshot.RoleAssignments)
        {
            var role = BuiltInRoles.ById(assignment.RoleDefinitionId) ?? throw new InvalidOperationException($"Unverified role {assignment.RoleDefinitionId}.");
            // A rotating secret is the one resource assigned on that the deployment does not create: operators store it.
            if (RotatingSecretScope().Match(assignment.Scope) is { Success: true } secret && byId.ContainsKey(assignment.Scope[..assignment.Scope.IndexOf("/secrets/", StringComparison.Ordinal)]))
            {
                yield return (role, assignment.Holder, Secret, secret.Groups["name"].Value);
                continue;
            }

            Assert.True(byId.TryGetValue(assignment.Scope, out var scope), $"{role.Name} is assigned on {assignment.Scope}, which the deployment does not create.");
            var name = scope.At("name").GetString()!.Split('/')[^1];
            yield return (role, assignment.Holder, scope.At("type").GetString()!, Generalize(name));
        }
    }

    // Generated names carry the deployment's resource token; "kv-*" stands for any of them.
    private static string Generalize(string name) =>
        name.StartsWith("kv-", StringComparison.Ordinal) ? "kv-*"
        : name.StartsWith("appi-", StringComparison.Ordinal) ? "appi-*"
        : name.StartsWith("st", StringComparison.Ordinal) && !name.Contains('-', StringComparison.Ordinal) ? "st*"
        : name;

    private static List<string> Describe(IEnumerable<(BuiltInRole Role, string Holder, string ScopeType, string ScopeName)> assignments) =>
        assignments.Select(a => $"{a.Role.Name} for {a.Holder} on {a.ScopeType} {a.ScopeName}").Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.KeyVault/vaults/[^/]+/secrets/(?<name>[^/]+)$")]
    private static partial Regex RotatingSecretScope();

    [GeneratedRegex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.KeyVault/vaults/[^/]+$")]
    private static partial Regex VaultScope();
}
