namespace TokenBroker.Infra.Tests;

/// <summary>One built-in Azure role: its name, its definition id, and where that id was verified.</summary>
/// <param name="Name">The role's name as Azure shows it.</param>
/// <param name="Id">The role definition's GUID.</param>
/// <param name="VerifiedAt">Two independent public sources stating this id for this name.</param>
internal sealed record BuiltInRole(string Name, string Id, string[] VerifiedAt);

/// <summary>
/// Built-in Azure roles, written by hand from public sources and never generated from the templates: every role
/// assignment the templates produce must resolve to an entry here by id, with the name the template intends. A wrong
/// id in the templates (as Storage Blob Data Owner once was, b7e6dc6d-…-0f4d4fb5c2e2) then fails a test instead of a
/// deployment.
/// </summary>
/// <remarks>
/// Sources, read 2026-11-28:
/// <list type="bullet">
/// <item>Microsoft's built-in roles reference, whose JSON blocks give each role's "id"/"name" and "roleName":
/// MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/storage.md, security.md and monitor.md,
/// published as https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/{storage,security,monitor}.</item>
/// <item>The Azure SDK for .NET's provisioning libraries, generated from the ARM role definitions:
/// Azure/azure-sdk-for-net sdk/provisioning/Azure.Provisioning.Storage/src/Generated/StorageBuiltInRole.cs,
/// sdk/provisioning/Azure.Provisioning.KeyVault/src/Generated/KeyVaultBuiltInRole.cs and
/// sdk/provisioning/Azure.Provisioning.ApplicationInsights/src/Generated/ApplicationInsightsBuiltInRole.cs.</item>
/// </list>
/// </remarks>
internal static class BuiltInRoles
{
    private const string StorageDocs = "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage";
    private const string SecurityDocs = "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security";
    private const string MonitorDocs = "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/monitor";
    private const string PrivilegedDocs = "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged";
    private const string StorageSdk = "Azure/azure-sdk-for-net sdk/provisioning/Azure.Provisioning.Storage/src/Generated/StorageBuiltInRole.cs";
    private const string KeyVaultSdk = "Azure/azure-sdk-for-net sdk/provisioning/Azure.Provisioning.KeyVault/src/Generated/KeyVaultBuiltInRole.cs";
    private const string ApplicationInsightsSdk = "Azure/azure-sdk-for-net sdk/provisioning/Azure.Provisioning.ApplicationInsights/src/Generated/ApplicationInsightsBuiltInRole.cs";

    public static readonly BuiltInRole KeyVaultCertificateUser = new("Key Vault Certificate User", "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba", [$"{SecurityDocs}#key-vault-certificate-user", KeyVaultSdk]);
    public static readonly BuiltInRole KeyVaultCertificatesOfficer = new("Key Vault Certificates Officer", "a4417e6f-fecd-4de8-b567-7b0420556985", [$"{SecurityDocs}#key-vault-certificates-officer", KeyVaultSdk]);
    public static readonly BuiltInRole KeyVaultSecretsOfficer = new("Key Vault Secrets Officer", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", [$"{SecurityDocs}#key-vault-secrets-officer", KeyVaultSdk]);
    public static readonly BuiltInRole KeyVaultSecretsUser = new("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", [$"{SecurityDocs}#key-vault-secrets-user", KeyVaultSdk]);
    public static readonly BuiltInRole MonitoringMetricsPublisher = new("Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb", [$"{MonitorDocs}#monitoring-metrics-publisher", ApplicationInsightsSdk]);
    public static readonly BuiltInRole StorageBlobDataContributor = new("Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", [$"{StorageDocs}#storage-blob-data-contributor", StorageSdk]);
    public static readonly BuiltInRole StorageBlobDataOwner = new("Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", [$"{StorageDocs}#storage-blob-data-owner", StorageSdk]);
    public static readonly BuiltInRole StorageQueueDataContributor = new("Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", [$"{StorageDocs}#storage-queue-data-contributor", StorageSdk]);
    public static readonly BuiltInRole StorageQueueDataMessageProcessor = new("Storage Queue Data Message Processor", "8a0f0c08-91a1-4084-bc3d-661d67233fed", [$"{StorageDocs}#storage-queue-data-message-processor", StorageSdk]);
    public static readonly BuiltInRole StorageQueueDataMessageSender = new("Storage Queue Data Message Sender", "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a", [$"{StorageDocs}#storage-queue-data-message-sender", StorageSdk]);
    public static readonly BuiltInRole StorageQueueDataReader = new("Storage Queue Data Reader", "19e7f393-937e-4f77-808e-94535e297925", [$"{StorageDocs}#storage-queue-data-reader", StorageSdk]);
    public static readonly BuiltInRole StorageTableDataContributor = new("Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", [$"{StorageDocs}#storage-table-data-contributor", StorageSdk]);

    /// <summary>
    /// Roles that grant control of resources or of access itself: never assigned. Only a deny list (no assignment may
    /// use them), checked against the privileged roles reference.
    /// </summary>
    public static readonly BuiltInRole[] Privileged =
    [
        new("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", [$"{PrivilegedDocs}#owner"]),
        new("Contributor", "b24988ac-6201-4cc1-8ab0-0a29c69d2ec5", [$"{PrivilegedDocs}#contributor"]),
        new("User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", [$"{PrivilegedDocs}#user-access-administrator"]),
        new("Role Based Access Control Administrator", "f58310d9-a9f6-439a-9e8d-f62e7b41a168", [$"{PrivilegedDocs}#role-based-access-control-administrator"]),
    ];

    /// <summary>Every role the templates may assign.</summary>
    public static readonly BuiltInRole[] Assignable =
    [
        KeyVaultCertificateUser,
        KeyVaultCertificatesOfficer,
        KeyVaultSecretsOfficer,
        KeyVaultSecretsUser,
        MonitoringMetricsPublisher,
        StorageBlobDataContributor,
        StorageBlobDataOwner,
        StorageQueueDataContributor,
        StorageQueueDataMessageProcessor,
        StorageQueueDataMessageSender,
        StorageQueueDataReader,
        StorageTableDataContributor,
    ];

    /// <summary>The role with this id, or null when it is none the templates may assign.</summary>
    public static BuiltInRole? ById(string id) => Assignable.SingleOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase));
}
