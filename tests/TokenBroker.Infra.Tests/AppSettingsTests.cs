using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

[Collection(SharedBicepRun.Name)]
public sealed partial class AppSettingsTests(InfraFixture infra)
{
    /// <summary>Every parameter file that must deploy.</summary>
    public static TheoryData<string> DeployableParameterFiles => RoleAssignmentTests.DeployableParameterFiles;

    /// <summary>
    /// "App setting names can contain only letters, numbers (0-9), periods (.), and underscores (_)."
    /// (https://learn.microsoft.com/azure/app-service/configure-common#configure-app-settings)
    /// </summary>
    [GeneratedRegex("^[A-Za-z0-9._]+$")]
    private static partial Regex AppServiceSettingName();

    [Theory]
    [MemberData(nameof(DeployableParameterFiles))]
    public void Every_app_setting_name_is_one_app_service_accepts(string parameterFile)
    {
        var names = infra.Snapshot(parameterFile).AppSettings.Keys;

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.Matches(AppServiceSettingName(), name));
    }

    [Fact]
    public void Every_connection_name_the_broker_accepts_deploys_and_the_broker_reads_it_back()
    {
        // The names in connection-names.bicepparam: hyphens, a leading digit, underscores, mixed case, 1 and 64 characters.
        string[] names =
        [
            "payments-eu",
            "1ledger",
            "crm_v2_emea",
            "Hr-Core_9-x",
            "q",
            "a123456789-123456789-123456789-123456789-123456789-123456789-123",
        ];
        Assert.All(names, name => Assert.True(ConnectionName.IsValid(name), name));
        Assert.Contains(names, name => name.Length == ConnectionName.MaxLength);

        // App settings reach the broker as environment variables, where "__" separates configuration sections.
        var settings = infra.Snapshot("connection-names").AppSettings
            .Where(s => s.Key.StartsWith("TokenBroker__", StringComparison.Ordinal))
            .ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => s.Value);
        var options = new TokenBrokerOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(TokenBrokerOptions.SectionName).Bind(options);
        var registry = new ConnectionRegistry(Options.Create(options));

        Assert.Equal(names.Order(StringComparer.Ordinal), registry.All.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.True(registry.TryGet("payments-eu", out var paymentsEu));
        Assert.Equal("broker-payments-eu", paymentsEu.ClientId);
    }

    [Fact]
    public void Access_rules_name_hyphenated_connections_by_their_setting_safe_key()
    {
        var settings = infra.Snapshot("connection-names").AppSettings;

        Assert.Equal("payments.read", settings["TokenBroker__Access__Rules__0__Connections__payments_eu"]);
        Assert.Equal("*", settings["TokenBroker__Access__Rules__0__Connections__1ledger"]);
    }

    [Fact]
    public void Names_that_meet_once_hyphens_become_underscores_fail_the_deployment()
    {
        var run = infra.SnapshotRun("colliding-connection-keys");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Connection names must be unique, ignoring case and treating '-' and '_' alike", run.ToString(), StringComparison.Ordinal);
    }

    /// <summary>What the Functions runtime and the broker read, whatever the connections.</summary>
    public static TheoryData<string> RequiredSettings =>
    [
        "AZURE_CLIENT_ID",
        "AzureFunctionsWebHost__hostid",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "AzureWebJobsStorage__blobServiceUri",
        "AzureWebJobsStorage__queueServiceUri",
        "AzureWebJobsStorage__tableServiceUri",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "TokenBroker__KeyVaultUri",
        "TokenBroker__TokenCache__ServiceUri",
        "TokenBroker__TokenCache__TableName",
        "TokenBroker__Refresh__Schedule",
    ];

    [Theory]
    [MemberData(nameof(RequiredSettings))]
    public void App_settings_carry_what_the_runtime_and_the_broker_read(string name)
    {
        Assert.Contains(name, infra.Snapshot("two-connections").AppSettings.Keys);
        Assert.Contains(name, infra.Snapshot("elastic-premium").AppSettings.Keys);
    }

    [Fact]
    public void App_settings_hold_one_set_per_connection()
    {
        var settings = infra.Snapshot("two-connections").AppSettings;

        var connectionSettings = settings.Keys.Where(k => k.StartsWith("TokenBroker__Connections__", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(
            [
                "TokenBroker__Connections__ledger__AllowedScopes",
                "TokenBroker__Connections__ledger__AuthMethod",
                "TokenBroker__Connections__ledger__CertificateName",
                "TokenBroker__Connections__ledger__ClientId",
                "TokenBroker__Connections__ledger__Scopes",
                "TokenBroker__Connections__ledger__SigningAlgorithm",
                "TokenBroker__Connections__ledger__TokenEndpoint",
                "TokenBroker__Connections__payments__AuthMethod",
                "TokenBroker__Connections__payments__ClientId",
                "TokenBroker__Connections__payments__Scopes",
                "TokenBroker__Connections__payments__SecretName",
                "TokenBroker__Connections__payments__TokenEndpoint",
            ],
            connectionSettings);
    }

    /// <summary>
    /// A connection's lifecycle parameters become TokenBroker:Connections:{key}:Lifecycle:* settings, and only those
    /// set: an unset value keeps the broker's default (Directory from the token endpoint's host, Rotation Manual,
    /// Lifetime 180 days, RenewBefore 30 days, Grace 1 day).
    /// </summary>
    [Fact]
    public void Lifecycle_parameters_become_the_connections_lifecycle_settings()
    {
        var lifecycle = infra.Snapshot("automatic-rotation").AppSettings
            .Where(s => s.Key.Contains("__Lifecycle__", StringComparison.Ordinal))
            .ToDictionary(s => s.Key, s => s.Value);

        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["TokenBroker__Connections__payments_eu__Lifecycle__Rotation"] = "Automatic",
                ["TokenBroker__Connections__payments_eu__Lifecycle__Lifetime"] = "90.00:00:00",
                ["TokenBroker__Connections__payments_eu__Lifecycle__RenewBefore"] = "20.00:00:00",
                ["TokenBroker__Connections__payments_eu__Lifecycle__Grace"] = "02:00:00",
                ["TokenBroker__Connections__crm__Lifecycle__Directory"] = "EntraId",
                ["TokenBroker__Connections__crm__Lifecycle__Rotation"] = "Automatic",
                ["TokenBroker__Connections__crm_eu__Lifecycle__Rotation"] = "Automatic",
                ["TokenBroker__Connections__ledger__Lifecycle__Rotation"] = "Automatic",
                ["TokenBroker__Connections__hr__Lifecycle__Rotation"] = "Manual",
                ["TokenBroker__Connections__partner__Lifecycle__Directory"] = "None",
            },
            lifecycle);
        Assert.DoesNotContain(infra.Snapshot("two-connections").AppSettings.Keys, k => k.Contains("__Lifecycle__", StringComparison.Ordinal));
    }

    [Fact]
    public void Connection_settings_carry_the_parameter_values()
    {
        var settings = infra.Snapshot("two-connections").AppSettings;

        Assert.Equal("https://auth.payments.example/oauth2/token", settings["TokenBroker__Connections__payments__TokenEndpoint"]);
        Assert.Equal("broker-payments", settings["TokenBroker__Connections__payments__ClientId"]);
        Assert.Equal("payments-client-secret", settings["TokenBroker__Connections__payments__SecretName"]);
        Assert.Equal("payments.read", settings["TokenBroker__Connections__payments__Scopes"]);
        Assert.Equal("client_secret_basic", settings["TokenBroker__Connections__payments__AuthMethod"]);

        Assert.Equal("https://auth.ledger.example/connect/token", settings["TokenBroker__Connections__ledger__TokenEndpoint"]);
        Assert.Equal("ledger-signing-cert", settings["TokenBroker__Connections__ledger__CertificateName"]);
        Assert.Equal("PS256", settings["TokenBroker__Connections__ledger__SigningAlgorithm"]);
        Assert.Equal("ledger.read ledger.write", settings["TokenBroker__Connections__ledger__Scopes"]);
        Assert.Equal("ledger.read ledger.write ledger.admin", settings["TokenBroker__Connections__ledger__AllowedScopes"]);
        Assert.Equal("private_key_jwt", settings["TokenBroker__Connections__ledger__AuthMethod"]);
    }

    [Fact]
    public void Example_parameters_configure_the_payments_connection()
    {
        var settings = infra.Snapshot("main").AppSettings;

        Assert.Equal("payments-client-secret", settings["TokenBroker__Connections__payments__SecretName"]);
        Assert.Single(settings.Keys, k => k.EndsWith("__TokenEndpoint", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_connection_names_fail_the_deployment()
    {
        var run = infra.SnapshotRun("duplicate-connection-names");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Connection names must be unique", run.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_connection_uses_the_managed_identity_and_no_key()
    {
        var settings = infra.Snapshot("two-connections").AppSettings;

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.All(settings.Values, value =>
        {
            Assert.DoesNotContain("AccountKey=", value ?? string.Empty, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessSignature=", value ?? string.Empty, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listKeys", value ?? string.Empty, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Theory]
    [InlineData("AZURE_CLIENT_ID")]
    [InlineData("AzureWebJobsStorage__clientId")]
    public void Identity_settings_name_the_brokers_user_assigned_identity(string name)
    {
        var value = infra.Snapshot("two-connections").AppSettings[name];

        Assert.Contains("'brokerIdentity", value, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.identity.value.clientId]", value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage__blobServiceUri", ".outputs.blobEndpoint.value]")]
    [InlineData("AzureWebJobsStorage__queueServiceUri", ".outputs.queueEndpoint.value]")]
    [InlineData("AzureWebJobsStorage__tableServiceUri", ".outputs.tableEndpoint.value]")]
    [InlineData("TokenBroker__TokenCache__ServiceUri", ".outputs.tableEndpoint.value]")]
    [InlineData("TokenBroker__KeyVaultUri", ".outputs.uri.value]")]
    public void Service_uris_come_from_the_deployed_resources(string name, string expressionEnd)
    {
        Assert.EndsWith(expressionEnd, infra.Snapshot("two-connections").AppSettings[name], StringComparison.Ordinal);
    }

    [Fact]
    public void Broker_defaults_match_its_own()
    {
        var settings = infra.Snapshot("two-connections").AppSettings;

        Assert.Equal("TokenCache", settings["TokenBroker__TokenCache__TableName"]);
        Assert.Equal("0 */1 * * * *", settings["TokenBroker__Refresh__Schedule"]);
    }

    [Fact]
    public void Host_id_is_explicit_and_at_most_32_characters()
    {
        var snapshot = infra.Snapshot("two-connections");
        var hostId = snapshot.AppSettings["AzureFunctionsWebHost__hostid"]!;

        Assert.InRange(hostId.Length, 1, 32);
        Assert.Matches("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", hostId);
        Assert.StartsWith(hostId, snapshot.Single("Microsoft.Web/sites").At("name").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(hostId, infra.Snapshot("locked-down").AppSettings["AzureFunctionsWebHost__hostid"]);
    }

    [Theory]
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("FUNCTIONS_EXTENSION_VERSION")]
    [InlineData("WEBSITE_RUN_FROM_PACKAGE")]
    [InlineData("WEBSITE_CONTENTSHARE")]
    public void Flex_consumption_leaves_runtime_and_package_to_function_app_config(string name)
    {
        Assert.DoesNotContain(name, infra.Snapshot("two-connections").AppSettings.Keys);
    }

    [Fact]
    public void Without_an_audience_the_broker_is_told_explicitly_that_the_function_key_is_the_only_gate()
    {
        var settings = infra.Snapshot("two-connections").AppSettings;
        Assert.Equal("FunctionKeyOnly", settings["TokenBroker__Callers__Mode"]);
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("TokenBroker__Access__", StringComparison.Ordinal));
    }

    [Fact]
    public void With_an_audience_callers_are_validated_and_the_access_rules_become_settings()
    {
        var settings = infra.Snapshot("locked-down").AppSettings;
        Assert.Equal("api://tokenbroker", settings["TokenBroker__Callers__Audience"]);
        Assert.Equal(AppServiceAuthenticationTests.EntraAuthority, settings["TokenBroker__Callers__Authority"]);
        Assert.DoesNotContain("TokenBroker__Callers__Mode", settings.Keys);
        Assert.Equal("55555555-5555-5555-5555-555555555555", settings["TokenBroker__Access__Rules__0__AppId"]);
        Assert.Equal("payments.read", settings["TokenBroker__Access__Rules__0__Connections__payments"]);
        Assert.Equal("TokenBroker.Admin", settings["TokenBroker__Access__Rules__1__Role"]);
        Assert.Equal("*", settings["TokenBroker__Access__Rules__1__Connections__payments"]);
    }
}
