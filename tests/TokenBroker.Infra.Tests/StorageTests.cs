using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

[Collection(SharedBicepRun.Name)]
public sealed class StorageTests(InfraFixture infra)
{
    private const string StorageAccount = "Microsoft.Storage/storageAccounts";

    [Fact]
    public void Storage_account_refuses_shared_key_access()
    {
        var account = Assert.Single(infra.Main.OfType(StorageAccount));

        Assert.False(account.At("properties.allowSharedKeyAccess").GetBoolean());
        Assert.True(account.At("properties.defaultToOAuthAuthentication").GetBoolean());
    }

    [Fact]
    public void Storage_account_requires_https_and_tls_1_2()
    {
        var account = Assert.Single(infra.Main.OfType(StorageAccount));

        Assert.True(account.At("properties.supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("TLS1_2", account.At("properties.minimumTlsVersion").GetString());
    }

    [Fact]
    public void Storage_account_forbids_public_blob_access()
    {
        var account = Assert.Single(infra.Main.OfType(StorageAccount));

        Assert.False(account.At("properties.allowBlobPublicAccess").GetBoolean());
        Assert.False(account.At("properties.allowCrossTenantReplication").GetBoolean());
        Assert.All(
            infra.Main.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            container => Assert.Equal("None", container.At("properties.publicAccess").GetString()));
    }

    [Fact]
    public void Storage_holds_the_deployment_container_token_cache_table_and_rotation_queues()
    {
        var snapshot = infra.Snapshot("main");

        Assert.Equal(
            ["app-package", "azure-webjobs-hosts", "azure-webjobs-secrets"],
            LastSegments(snapshot, "Microsoft.Storage/storageAccounts/blobServices/containers"));
        Assert.Equal(["TokenCache"], LastSegments(snapshot, "Microsoft.Storage/storageAccounts/tableServices/tables"));
        Assert.Equal(
            ["secret-rotation-events", "secret-rotation-events-poison"],
            LastSegments(snapshot, "Microsoft.Storage/storageAccounts/queueServices/queues"));
    }

    [Fact]
    public void Dead_letter_container_exists_only_when_dead_lettering_is_on()
    {
        Assert.DoesNotContain("eventgrid-deadletter", LastSegments(infra.Snapshot("main"), "Microsoft.Storage/storageAccounts/blobServices/containers"));
        Assert.Contains("eventgrid-deadletter", LastSegments(infra.Snapshot("locked-down"), "Microsoft.Storage/storageAccounts/blobServices/containers"));
    }

    [Fact]
    public void Storage_firewall_allows_by_default_and_admits_only_listed_subnets_and_azure_services_when_restricted()
    {
        var open = infra.Snapshot("main").Single(StorageAccount);
        Assert.Equal("Allow", open.At("properties.networkAcls.defaultAction").GetString());

        var restricted = infra.Snapshot("locked-down").Single(StorageAccount);
        Assert.Equal("Deny", restricted.At("properties.networkAcls.defaultAction").GetString());
        Assert.Equal("AzureServices", restricted.At("properties.networkAcls.bypass").GetString());
        Assert.EndsWith(
            "/subnets/snet-broker",
            Assert.Single(restricted.At("properties.networkAcls.virtualNetworkRules").EnumerateArray()).At("id").GetString(),
            StringComparison.Ordinal);
    }

    private static List<string> LastSegments(DeploymentSnapshot snapshot, string type) =>
        snapshot.OfType(type).Select(r => r.At("name").GetString()!.Split('/')[^1]).Order(StringComparer.Ordinal).ToList();
}
