using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

[Collection(SharedBicepRun.Name)]
public sealed class MonitoringTests(InfraFixture infra)
{
    [Fact]
    public void Application_insights_refuses_local_authentication()
    {
        var component = Assert.Single(infra.Main.OfType("Microsoft.Insights/components"));

        Assert.True(component.At("properties.DisableLocalAuth").GetBoolean());
    }

    [Fact]
    public void Application_insights_writes_to_the_log_analytics_workspace()
    {
        var component = infra.Snapshot("main").Single("Microsoft.Insights/components");
        var workspace = infra.Snapshot("main").Single("Microsoft.OperationalInsights/workspaces");

        Assert.Equal(workspace.At("id").GetString(), component.At("properties.WorkspaceResourceId").GetString());
        Assert.True(workspace.At("properties.features.disableLocalAuth").GetBoolean());
    }

    [Fact]
    public void Broker_sends_telemetry_with_its_managed_identity()
    {
        var settings = infra.Snapshot("main").AppSettings;

        Assert.StartsWith("[format('ClientId={0};Authorization=AAD', ", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        Assert.Contains("'brokerIdentity", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        Assert.EndsWith(".outputs.identity.value.clientId)]", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        Assert.EndsWith(".outputs.applicationInsightsConnectionString.value]", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], StringComparison.Ordinal);
    }
}
