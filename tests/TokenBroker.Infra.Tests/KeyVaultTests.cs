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
    }

    [Fact]
    public void The_token_cache_key_is_written_only_when_asked()
    {
        var secret = Assert.Single(infra.Templates["modules/keyvault.bicep"].OfType("Microsoft.KeyVault/vaults/secrets"));

        Assert.Equal("[parameters('createTokenCacheKey')]", secret.At("condition").GetString());
        Assert.Single(infra.Snapshot("main").OfType("Microsoft.KeyVault/vaults/secrets"));
        Assert.Empty(infra.Snapshot("redeployment").OfType("Microsoft.KeyVault/vaults/secrets"));
    }

    [Fact]
    public void Azd_writes_the_token_cache_key_on_the_first_deployment_only()
    {
        // main.bicepparam turns createTokenCacheKey off once azd's environment holds the output of a first deployment.
        var parameters = File.ReadAllText(Path.Combine(infra.InfraDirectory, "main.bicepparam"));

        Assert.Contains("param createTokenCacheKey = readEnvironmentVariable('TOKENBROKER_TOKEN_CACHE_KEY_CREATED', 'false') != 'true'", parameters, StringComparison.Ordinal);
        Assert.Equal("true", infra.Main.Root.At("outputs.TOKENBROKER_TOKEN_CACHE_KEY_CREATED.value").GetString());
    }

    [Fact]
    public void The_token_cache_key_expires_a_year_after_it_is_written_unless_told_otherwise()
    {
        var secret = infra.Snapshot("main").Single("Microsoft.KeyVault/vaults/secrets");

        Assert.Equal("[dateTimeToEpoch(dateTimeAdd(utcNow(), 'P1Y'))]", secret.At("properties.attributes.exp").GetString());
        Assert.Equal("TokenBroker token cache key seed", secret.At("properties.contentType").GetString());
    }

    [Fact]
    public void A_vault_name_suffix_gives_a_new_name_while_the_deleted_vault_is_purge_protected()
    {
        var first = infra.Snapshot("main").Single(Vault).At("name").GetString()!;
        var redeployed = infra.Snapshot("redeployment").Single(Vault).At("name").GetString()!;

        Assert.Matches("^kv-[a-z0-9]{13}$", first);
        Assert.Matches("^kv-[a-z0-9]{13}-r2$", redeployed);
        Assert.InRange(redeployed.Length, 3, 24);
        Assert.Equal(7, infra.Main.Root.At("parameters.keyVaultNameSuffix.maxLength").GetInt32());
    }

    [Fact]
    public void A_soft_deleted_vault_can_be_recovered_instead_of_created()
    {
        var vault = Assert.Single(infra.Templates["modules/keyvault.bicep"].OfType(Vault));

        Assert.Equal("[if(parameters('recoverSoftDeleted'), 'recover', 'default')]", vault.At("properties.createMode").GetString());
        Assert.Equal("default", infra.Snapshot("main").Single(Vault).At("properties.createMode").GetString());
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
