using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

[Collection(SharedBicepRun.Name)]
public sealed class PrivateNetworkingTests(InfraFixture infra)
{
    private const string Endpoint = "Microsoft.Network/privateEndpoints";
    private const string ZoneGroup = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";
    private const string Zone = "Microsoft.Network/privateDnsZones";

    [Fact]
    public void Without_an_endpoint_subnet_nothing_private_is_created()
    {
        Assert.Empty(infra.Snapshot("main").OfType(Endpoint));
        Assert.Empty(infra.Snapshot("main").OfType(Zone));
    }

    [Fact]
    public void The_locked_down_deployment_reaches_blob_queue_table_and_vault_through_private_endpoints()
    {
        var snapshot = infra.Snapshot("locked-down");
        var storage = snapshot.Single("Microsoft.Storage/storageAccounts").At("id").GetString();
        var vault = snapshot.Single("Microsoft.KeyVault/vaults").At("id").GetString();

        var endpoints = snapshot.OfType(Endpoint).ToDictionary(
            e => Assert.Single(e.At("properties.privateLinkServiceConnections").EnumerateArray()).At("properties.groupIds").Strings().Single(),
            e => e);

        Assert.Equal(["blob", "queue", "table", "vault"], endpoints.Keys.Order(StringComparer.Ordinal));
        Assert.All(endpoints.Values, e => Assert.EndsWith("/subnets/snet-endpoints", e.At("properties.subnet.id").GetString(), StringComparison.Ordinal));
        Assert.All(["blob", "queue", "table"], group => Assert.Equal(storage, LinkedResource(endpoints[group])));
        Assert.Equal(vault, LinkedResource(endpoints["vault"]));
    }

    [Fact]
    public void A_given_dns_zone_is_used_and_missing_ones_are_created_and_linked_to_the_network()
    {
        var snapshot = infra.Snapshot("locked-down");
        var groups = snapshot.OfType(ZoneGroup).Select(g => Assert.Single(g.At("properties.privateDnsZoneConfigs").EnumerateArray()).At("properties.privateDnsZoneId").GetString()!).ToList();

        Assert.Contains("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net", groups);
        Assert.Equal(4, groups.Count);

        // Zone names follow the cloud: the storage suffix and the vault's DNS suffix come from environment().
        var zones = snapshot.OfType(Zone).Select(z => z.At("name").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "[format('privatelink.queue.{0}', environment().suffixes.storage)]",
                "[format('privatelink.table.{0}', environment().suffixes.storage)]",
                "[format('privatelink{0}', replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.'))]",
            ],
            zones);
        Assert.All(
            snapshot.OfType("Microsoft.Network/privateDnsZones/virtualNetworkLinks"),
            link => Assert.EndsWith("/virtualNetworks/vnet-hub", link.At("properties.virtualNetwork.id").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public void The_locked_down_vault_admits_private_endpoints_only_and_storage_keeps_its_firewall_for_event_grid()
    {
        var snapshot = infra.Snapshot("locked-down");

        Assert.Equal("Disabled", snapshot.Single("Microsoft.KeyVault/vaults").At("properties.publicNetworkAccess").GetString());

        // Event Grid reaches the queue through the firewall's trusted-services exception, so the public endpoint stays
        // on with every other caller denied (see EventGridTests).
        var storage = snapshot.Single("Microsoft.Storage/storageAccounts");
        Assert.Equal("Enabled", storage.At("properties.publicNetworkAccess").GetString());
        Assert.Equal("Deny", storage.At("properties.networkAcls.defaultAction").GetString());
    }

    private static string? LinkedResource(System.Text.Json.JsonElement endpoint) =>
        endpoint.At("properties.privateLinkServiceConnections").EnumerateArray().Single().At("properties.privateLinkServiceId").GetString();
}
