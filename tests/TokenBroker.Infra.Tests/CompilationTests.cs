using System.Text.Json;
using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

[Collection(SharedBicepRun.Name)]
public sealed class CompilationTests(InfraFixture infra)
{
    [Fact]
    public void Every_bicep_file_under_infra_compiles_without_a_warning()
    {
        Assert.True(infra.Build.ExitCode == 0, infra.Build.ToString());
        Assert.True(infra.Build.Diagnostics.Count == 0, infra.Build.ToString());
        Assert.Contains("main.bicep", infra.BicepFiles);
        Assert.Equal(infra.BicepFiles, infra.Templates.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_parameter_file_builds_without_a_warning()
    {
        Assert.True(infra.BuildParams.ExitCode == 0, infra.BuildParams.ToString());
        Assert.True(infra.BuildParams.Diagnostics.Count == 0, infra.BuildParams.ToString());
        Assert.Contains("infra/main.bicepparam", infra.ParameterFiles);
    }

    [Theory]
    [MemberData(nameof(RoleAssignmentTests.DeployableParameterFiles), MemberType = typeof(RoleAssignmentTests))]
    public void Parameter_file_evaluates_to_a_deployment_without_diagnostics(string parameterFile)
    {
        var snapshot = infra.Snapshot(parameterFile);

        Assert.Empty(snapshot.Root.At("diagnostics").EnumerateArray());
        Assert.NotEmpty(snapshot.Resources);
    }

    [Fact]
    public void Linter_finds_nothing_in_templates_or_parameter_files()
    {
        Assert.True(infra.Lint.ExitCode == 0, infra.Lint.ToString());
        Assert.True(infra.Lint.Diagnostics.Count == 0, infra.Lint.ToString());
    }

    [Theory]
    [InlineData("no-hardcoded-env-urls")]
    [InlineData("no-unused-params")]
    [InlineData("no-unused-vars")]
    [InlineData("outputs-should-not-contain-secrets")]
    [InlineData("secure-secrets-in-params")]
    [InlineData("secure-parameter-default")]
    [InlineData("use-secure-value-for-secure-inputs")]
    [InlineData("use-stable-resource-identifiers")]
    [InlineData("use-resource-symbol-reference")]
    [InlineData("no-hardcoded-location")]
    [InlineData("explicit-values-for-loc-params")]
    [InlineData("use-user-defined-types")]
    [InlineData("what-if-short-circuiting")]
    public void Bicepconfig_makes_the_rules_that_matter_errors(string rule)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(infra.InfraDirectory, "bicepconfig.json")), options);

        Assert.Equal("error", config.RootElement.At($"analyzers.core.rules.{rule}.level").GetString());
    }

    [Fact]
    public void Templates_use_only_local_modules()
    {
        foreach (var file in infra.BicepFiles)
        {
            var text = File.ReadAllText(Path.Combine(infra.InfraDirectory, file));
            Assert.DoesNotContain("'br/", text, StringComparison.Ordinal);
            Assert.DoesNotContain("'br:", text, StringComparison.Ordinal);
            Assert.DoesNotContain("'ts:", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Main_template_deploys_into_a_resource_group()
    {
        Assert.Equal(
            "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            infra.Main.Root.At("$schema").GetString());
    }

    [Theory]
    [InlineData("AZURE_FUNCTION_APP_NAME")]
    [InlineData("BROKER_URL")]
    [InlineData("BROKER_IDENTITY_PRINCIPAL_ID")]
    [InlineData("AZURE_KEY_VAULT_URI")]
    [InlineData("AZURE_HOSTING_PLAN")]
    [InlineData("AZURE_FUNCTION_APP_ID")]
    [InlineData("AZURE_APP_SERVICE_PLAN_ID")]
    [InlineData("AZURE_STORAGE_ACCOUNT_ID")]
    [InlineData("AZURE_KEY_VAULT_ID")]
    [InlineData("AZURE_LOG_ANALYTICS_WORKSPACE_ID")]
    [InlineData("APPLICATIONINSIGHTS_ID")]
    [InlineData("AZURE_EVENT_GRID_SYSTEM_TOPIC_ID")]
    [InlineData("EVENT_GRID_TOPIC_PRINCIPAL_ID")]
    [InlineData("BROKER_IDENTITY_ID")]
    [InlineData("AZURE_ACTION_GROUP_ID")]
    public void Main_template_outputs_what_azd_and_platform_teams_consume(string output)
    {
        Assert.Equal("string", infra.Main.Root.At($"outputs.{output}.type").GetString());
    }

    [Fact]
    public void Broker_url_is_https_on_the_app_host_name()
    {
        var value = infra.Main.Root.At("outputs.BROKER_URL.value").GetString();

        Assert.StartsWith("[format('https://{0}', reference('functionApp').outputs.defaultHostName.value)]", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Azd_deploys_the_functions_project_as_the_broker_service()
    {
        var lines = File.ReadAllLines(Path.Combine(infra.RepositoryRoot, "azure.yaml")).Select(l => l.Trim()).ToList();

        Assert.Contains("broker:", lines);
        Assert.Contains("project: ./src/TokenBroker.Functions", lines);
        Assert.Contains("language: dotnet", lines);
        Assert.Contains("host: function", lines);
        Assert.Contains("path: infra", lines);
    }
}
