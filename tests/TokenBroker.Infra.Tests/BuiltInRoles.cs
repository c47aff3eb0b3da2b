namespace TokenBroker.Infra.Tests;

/// <summary>Built-in Azure role definition ids the tests name.</summary>
internal static class BuiltInRoles
{
    public const string Owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    public const string Contributor = "b24988ac-6201-4cc1-8ab0-0a29c69d2ec5";
    public const string UserAccessAdministrator = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
    public const string RoleBasedAccessControlAdministrator = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";

    public const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    public const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    public const string KeyVaultCertificateUser = "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba";
    public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    public const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f4d4fb5c2e2";
    public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    public const string StorageQueueDataMessageProcessor = "8a0f0c08-91a1-4084-bc3d-661d67233fed";
    public const string StorageQueueDataMessageSender = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a";
    public const string StorageQueueDataReader = "19e7f393-937e-4f77-808e-94535e297925";
    public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";

    /// <summary>Roles that grant control of resources or of access itself: never assigned.</summary>
    public static readonly string[] Privileged = [Owner, Contributor, UserAccessAdministrator, RoleBasedAccessControlAdministrator];
}
