using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

[Collection(SharedBicepRun.Name)]
public sealed class KeyVaultTests(InfraFixture infra)
{
    private const string Vault = "Microsoft.KeyVault/vaults";

    [Fact]
    public void Key_vault_authorizes_with_azure_rbac_only()
    {
        var vault = Assert.Single(infra.Main.OfType(Vault));

        Assert.True(vault.At("properties.enableRbacAuthorization").GetBoolean());
        Assert.False(vault.Has("properties.accessPolicies"));
        Assert.False(vault.At("properties.enabledForTemplateDeployment").GetBoolean());
    }

    [Fact]
    public void The_token_cache_key_is_created_from_a_secure_parameter_and_never_output()
    {
        var secret = Assert.Single(infra.Main.OfType("Microsoft.KeyVault/vaults/secrets"));
        var main = infra.Main.Root;

        Assert.EndsWith("token-cache-key')]", secret.StringAt("name"), StringComparison.Ordinal);
        Assert.Equal("securestring", main.At("parameters.tokenCacheKeySeed.type").GetString());
        Assert.DoesNotContain("tokenCacheKeySeed", main.At("outputs").GetRawText(), StringComparison.Ordinal);
        Assert.Equal("[newGuid()]", main.At("parameters.tokenCacheKeySeed.defaultValue").GetString());
    }

    [Fact]
    public void Key_vault_keeps_deleted_secrets_with_purge_protection()
    {
        var vault = Assert.Single(infra.Main.OfType(Vault));

        Assert.True(vault.At("properties.enableSoftDelete").GetBoolean());
        Assert.True(vault.At("properties.enablePurgeProtection").GetBoolean());
        Assert.Equal(90, infra.Snapshot("main").Single(Vault).At("properties.softDeleteRetentionInDays").GetInt32());
    }

    [Fact]
    public void Key_vault_admits_azure_services_and_allows_by_default()
    {
        var vault = infra.Snapshot("main").Single(Vault);

        Assert.Equal("Enabled", vault.At("properties.publicNetworkAccess").GetString());
        Assert.Equal("Allow", vault.At("properties.networkAcls.defaultAction").GetString());
        Assert.Equal("AzureServices", vault.At("properties.networkAcls.bypass").GetString());
    }

    [Fact]
    public void Key_vault_firewall_admits_only_the_listed_ranges_and_subnets_when_restricted()
    {
        var vault = infra.Snapshot("locked-down").Single(Vault);

        Assert.Equal("Deny", vault.At("properties.networkAcls.defaultAction").GetString());
        Assert.Equal("203.0.113.0/24", Assert.Single(vault.At("properties.networkAcls.ipRules").EnumerateArray()).At("value").GetString());
        Assert.EndsWith(
            "/subnets/snet-broker",
            Assert.Single(vault.At("properties.networkAcls.virtualNetworkRules").EnumerateArray()).At("id").GetString(),
            StringComparison.Ordinal);
    }
}
