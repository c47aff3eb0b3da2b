using System.Diagnostics;
using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

/// <summary>
/// azd's deploy step zip-deploys the Functions project. That works on Flex Consumption; on the Elastic Premium
/// fallback, which runs from a package blob URL (WEBSITE_RUN_FROM_PACKAGE), zip deploy does not apply, so the
/// service's predeploy hook stops it with the command that does deploy there.
/// </summary>
[Collection(SharedBicepRun.Name)]
public sealed class AzdTests(InfraFixture infra)
{
    [Fact]
    public void The_broker_service_runs_the_predeploy_guard()
    {
        var lines = File.ReadAllLines(Path.Combine(infra.RepositoryRoot, "azure.yaml")).Select(l => l.Trim()).ToList();

        Assert.Contains("predeploy:", lines);
        Assert.Contains("run: ./scripts/azd-predeploy.sh", lines);
        Assert.Equal("[parameters('hostingPlan')]", infra.Main.Root.At("outputs.AZURE_HOSTING_PLAN.value").GetString());
        Assert.True(File.Exists(Path.Combine(infra.RepositoryRoot, "scripts", "deploy-package.sh")));
    }

    [Fact]
    public async Task On_elastic_premium_the_hook_stops_azd_before_zip_deploy_and_names_the_way_to_deploy()
    {
        var (exitCode, error) = await RunHookAsync("ElasticPremium");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("./scripts/deploy-package.sh", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FlexConsumption")]
    [InlineData(null)]
    public async Task On_flex_consumption_the_hook_lets_azd_deploy(string? hostingPlan)
    {
        var (exitCode, error) = await RunHookAsync(hostingPlan);

        Assert.True(exitCode == 0, error);
    }

    private async Task<(int ExitCode, string Error)> RunHookAsync(string? hostingPlan)
    {
        var start = new ProcessStartInfo("sh", Path.Combine(infra.RepositoryRoot, "scripts", "azd-predeploy.sh"))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("AZURE_HOSTING_PLAN");
        if (hostingPlan is not null)
        {
            start.Environment["AZURE_HOSTING_PLAN"] = hostingPlan;
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, error);
    }
}
