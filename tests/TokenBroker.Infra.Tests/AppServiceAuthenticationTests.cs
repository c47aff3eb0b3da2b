using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

[Collection(SharedBicepRun.Name)]
public sealed class AppServiceAuthenticationTests(InfraFixture infra)
{
    /// <summary>The tenant's v2.0 issuer in whichever cloud the deployment runs (the login endpoint is the cloud's).</summary>
    internal const string EntraAuthority = $"[format('{{0}}{{1}}/v2.0', environment().authentication.loginEndpoint, '{InfraFixture.TenantId}')]";

    private const string Config = "Microsoft.Web/sites/config";

    [Fact]
    public void Authentication_is_absent_by_default()
    {
        Assert.DoesNotContain(
            infra.Snapshot("main").OfType(Config),
            c => c.At("name").GetString()!.EndsWith("/authsettingsV2", StringComparison.Ordinal));
        Assert.Equal(
            "[parameters('enableAppServiceAuthentication')]",
            Assert.Single(infra.Main.OfType(Config), c => c.At("name").GetString()!.Contains("authsettingsV2", StringComparison.Ordinal)).At("condition").GetString());
    }

    [Fact]
    public void Authentication_requires_an_entra_token_for_the_brokers_audience_when_enabled()
    {
        var auth = infra.Snapshot("locked-down").Single(Config, "/authsettingsV2").At("properties");

        Assert.True(auth.At("platform.enabled").GetBoolean());
        Assert.True(auth.At("globalValidation.requireAuthentication").GetBoolean());
        Assert.Equal("Return401", auth.At("globalValidation.unauthenticatedClientAction").GetString());
        Assert.Equal(["/api/health"], auth.At("globalValidation.excludedPaths").Strings());
        Assert.True(auth.At("httpSettings.requireHttps").GetBoolean());

        var entra = auth.At("identityProviders.azureActiveDirectory");
        Assert.True(entra.At("enabled").GetBoolean());
        Assert.Equal(EntraAuthority, entra.At("registration.openIdIssuer").GetString());
        Assert.Equal(["api://tokenbroker", "44444444-4444-4444-4444-444444444444"], entra.At("validation.allowedAudiences").Strings());
        Assert.Equal(["55555555-5555-5555-5555-555555555555"], entra.At("validation.defaultAuthorizationPolicy.allowedApplications").Strings());
    }

    [Fact]
    public void Enabling_authentication_without_an_audience_fails_the_deployment()
    {
        var run = infra.SnapshotRun("authentication-without-audience");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("callerAudience is required", run.ToString(), StringComparison.Ordinal);
    }
}
