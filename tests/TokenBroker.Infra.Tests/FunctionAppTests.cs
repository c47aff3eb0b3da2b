using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

[Collection(SharedBicepRun.Name)]
public sealed class FunctionAppTests(InfraFixture infra)
{
    private const string Site = "Microsoft.Web/sites";
    private const string Plan = "Microsoft.Web/serverfarms";

    [Fact]
    public void Both_hosting_plans_declare_one_function_app_each()
    {
        Assert.Equal(2, infra.Main.OfType(Site).Count);
        Assert.Single(infra.Templates["modules/function-app-flex-consumption.bicep"].OfType(Site));
        Assert.Single(infra.Templates["modules/function-app-elastic-premium.bicep"].OfType(Site));
    }

    [Fact]
    public void Function_app_is_https_only_with_tls_1_2_and_ftp_disabled()
    {
        Assert.All(infra.Main.OfType(Site), site =>
        {
            Assert.True(site.At("properties.httpsOnly").GetBoolean());
            Assert.Equal("1.2", site.At("properties.siteConfig.minTlsVersion").GetString());
            Assert.Equal("1.2", site.At("properties.siteConfig.scmMinTlsVersion").GetString());
            Assert.Equal("Disabled", site.At("properties.siteConfig.ftpsState").GetString());
        });
    }

    [Fact]
    public void Basic_publishing_credentials_are_disabled_for_ftp_and_scm()
    {
        var policies = infra.Snapshot("main").OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");

        Assert.Equal(["ftp", "scm"], policies.Select(p => p.At("name").GetString()!.Split('/')[^1]).Order(StringComparer.Ordinal));
        Assert.All(policies, p => Assert.False(p.At("properties.allow").GetBoolean()));
        Assert.All(
            infra.Main.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies"),
            p => Assert.False(p.At("properties.allow").GetBoolean()));
    }

    [Fact]
    public void Function_app_runs_as_a_user_assigned_identity_only()
    {
        Assert.All(infra.Main.OfType(Site), site =>
        {
            Assert.Equal("UserAssigned", site.At("identity.type").GetString());
            Assert.Single(site.At("identity.userAssignedIdentities").EnumerateObject());
        });
    }

    [Fact]
    public void Flex_consumption_app_runs_dotnet_isolated_10_on_linux_fc1()
    {
        var snapshot = infra.Snapshot("main");
        var plan = snapshot.Single(Plan);
        var site = snapshot.Single(Site);

        Assert.Equal("FC1", plan.At("sku.name").GetString());
        Assert.Equal("FlexConsumption", plan.At("sku.tier").GetString());
        Assert.True(plan.At("properties.reserved").GetBoolean());
        Assert.Equal("functionapp,linux", site.At("kind").GetString());
        Assert.Equal("dotnet-isolated", site.At("properties.functionAppConfig.runtime.name").GetString());
        Assert.Equal("10.0", site.At("properties.functionAppConfig.runtime.version").GetString());
        Assert.Equal(plan.At("id").GetString(), site.At("properties.serverFarmId").GetString());
    }

    [Fact]
    public void Flex_consumption_app_pulls_its_package_with_its_user_assigned_identity()
    {
        var storage = infra.Snapshot("main").Single(Site).At("properties.functionAppConfig.deployment.storage");

        Assert.Equal("blobContainer", storage.At("type").GetString());
        Assert.EndsWith(".outputs.blobEndpoint.value, 'app-package')]", storage.At("value").GetString(), StringComparison.Ordinal);
        Assert.Equal("UserAssignedIdentity", storage.At("authentication.type").GetString());
        Assert.Contains("'brokerIdentity", storage.At("authentication.userAssignedIdentityResourceId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Flex_consumption_instance_count_is_capped_by_a_parameter()
    {
        var site = Assert.Single(infra.Templates["modules/function-app-flex-consumption.bicep"].OfType(Site));

        Assert.Equal("[parameters('maximumInstanceCount')]", site.At("properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount").GetString());
        Assert.Equal(40, infra.Main.Root.At("parameters.maximumInstanceCount.defaultValue").GetInt32());
        Assert.Equal(
            40,
            infra.Snapshot("main").Single(Site).At("properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount").GetInt32());
        Assert.Equal(
            16,
            infra.Snapshot("main").Single(Site).At("properties.functionAppConfig.scaleAndConcurrency.triggers.http.perInstanceConcurrency").GetInt32());
    }

    [Fact]
    public void Elastic_premium_fallback_caps_scale_out_on_the_plan_and_the_app()
    {
        var snapshot = infra.Snapshot("elastic-premium");
        var plan = snapshot.Single(Plan);
        var site = snapshot.Single(Site);

        Assert.Equal("EP2", plan.At("sku.name").GetString());
        Assert.Equal("ElasticPremium", plan.At("sku.tier").GetString());
        Assert.Equal(20, plan.At("properties.maximumElasticWorkerCount").GetInt32());
        Assert.Equal(20, site.At("properties.siteConfig.functionAppScaleLimit").GetInt32());
        Assert.Equal("DOTNET-ISOLATED|10.0", site.At("properties.siteConfig.linuxFxVersion").GetString());
        Assert.False(site.Has("properties.functionAppConfig"));
    }

    [Fact]
    public void Elastic_premium_fallback_runs_from_a_package_blob_without_a_storage_key()
    {
        var settings = infra.Snapshot("elastic-premium").AppSettings;

        Assert.Equal("dotnet-isolated", settings["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("~4", settings["FUNCTIONS_EXTENSION_VERSION"]);
        Assert.EndsWith(".outputs.blobEndpoint.value, 'app-package')]", settings["WEBSITE_RUN_FROM_PACKAGE"], StringComparison.Ordinal);
        Assert.StartsWith("[format('{0}{1}/broker.zip'", settings["WEBSITE_RUN_FROM_PACKAGE"], StringComparison.Ordinal);
        Assert.Contains("'brokerIdentity", settings["WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"], StringComparison.Ordinal);
        Assert.DoesNotContain("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", settings.Keys);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
    }

    [Fact]
    public void Function_app_is_tagged_for_azd_as_the_broker_service()
    {
        var site = infra.Snapshot("main").Single(Site);

        Assert.Equal("broker", site.At("tags.azd-service-name").GetString());
        Assert.Equal("tokenbroker-dev", site.At("tags.azd-env-name").GetString());
    }

    [Fact]
    public void Function_app_joins_the_given_subnet_for_outbound_traffic()
    {
        Assert.Equal(System.Text.Json.JsonValueKind.Null, infra.Snapshot("main").Single(Site).At("properties.virtualNetworkSubnetId").ValueKind);
        Assert.EndsWith(
            "/subnets/snet-broker",
            infra.Snapshot("locked-down").Single(Site).At("properties.virtualNetworkSubnetId").GetString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Flex_consumption_keeps_the_http_scale_group_warm_when_asked()
    {
        Assert.Empty(infra.Snapshot("main").Single(Site).At("properties.functionAppConfig.scaleAndConcurrency.alwaysReady").EnumerateArray());

        var alwaysReady = Assert.Single(infra.Snapshot("locked-down").Single(Site).At("properties.functionAppConfig.scaleAndConcurrency.alwaysReady").EnumerateArray());
        Assert.Equal("http", alwaysReady.At("name").GetString());
        Assert.Equal(2, alwaysReady.At("instanceCount").GetInt32());
    }

    [Fact]
    public void Zone_redundancy_spans_the_plan_and_the_storage_account()
    {
        Assert.False(infra.Snapshot("main").Single(Plan).At("properties.zoneRedundant").GetBoolean());
        Assert.Equal("Standard_LRS", infra.Snapshot("main").Single("Microsoft.Storage/storageAccounts").At("sku.name").GetString());

        Assert.True(infra.Snapshot("locked-down").Single(Plan).At("properties.zoneRedundant").GetBoolean());
        Assert.Equal("Standard_ZRS", infra.Snapshot("locked-down").Single("Microsoft.Storage/storageAccounts").At("sku.name").GetString());
    }

    [Fact]
    public void Elastic_premium_keeps_at_least_one_instance_warm()
    {
        var snapshot = infra.Snapshot("elastic-premium");

        Assert.Equal(1, snapshot.Single(Site).At("properties.siteConfig.minimumElasticInstanceCount").GetInt32());
        Assert.Equal(1, snapshot.Single(Plan).At("sku.capacity").GetInt32());
    }
}
