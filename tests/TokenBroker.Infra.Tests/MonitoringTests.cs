using System.Globalization;
using System.Text.RegularExpressions;
using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

[Collection(SharedBicepRun.Name)]
public sealed partial class MonitoringTests(InfraFixture infra)
{
    private const string LogAlert = "Microsoft.Insights/scheduledQueryRules";
    private const string MetricAlert = "Microsoft.Insights/metricAlerts";
    private const string DiagnosticSetting = "Microsoft.Insights/diagnosticSettings";

    /// <summary>The default and the locked-down deployments carry every rule, the workbook and the diagnostic settings.</summary>
    public static TheoryData<string> MonitoredParameterFiles => ["main", "locked-down"];

    [Theory]
    [MemberData(nameof(MonitoredParameterFiles))]
    public void Log_search_alerts_watch_the_brokers_metrics_5xx_and_the_poison_queue(string parameterFile)
    {
        var rules = infra.Snapshot(parameterFile).OfType(LogAlert).ToDictionary(r => r.At("name").GetString()!.Split('-', 3)[^1], r => r);

        Assert.Equal(
            ["credential-expiry-critical", "credential-expiry-warning", "credential-problems", "http-5xx", "poison-rotation-events", "rejected-token-requests", "secret-near-expiry", "upstream-unavailable"],
            rules.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("tokenbroker.token_requests", Query(rules["rejected-token-requests"]), StringComparison.Ordinal);
        Assert.Contains("== \"rejected\"", Query(rules["rejected-token-requests"]), StringComparison.Ordinal);
        Assert.Contains("== \"unavailable\"", Query(rules["upstream-unavailable"]), StringComparison.Ordinal);
        Assert.Contains("tokenbroker.secret_events", Query(rules["secret-near-expiry"]), StringComparison.Ordinal);
        Assert.Contains("== \"near_expiry\"", Query(rules["secret-near-expiry"]), StringComparison.Ordinal);
        Assert.StartsWith("requests | where toint(resultCode) >= 500", Query(rules["http-5xx"]), StringComparison.Ordinal);
        Assert.Contains("StorageQueueLogs", Query(rules["poison-rotation-events"]), StringComparison.Ordinal);
        Assert.Contains("/secret-rotation-events-poison", Query(rules["poison-rotation-events"]), StringComparison.Ordinal);
        Assert.All(rules.Values, r =>
        {
            Assert.True(r.At("properties.enabled").GetBoolean());
            Assert.EndsWith("/actionGroups/ag-" + r.At("name").GetString()!.Split('-')[1], Assert.Single(r.At("properties.actions.actionGroups").Strings()), StringComparison.Ordinal);
        });
    }

    /// <summary>
    /// The broker's inventory flags a credential inside the warning window (30 days by default) and inside the critical
    /// window (7 days) (issue 15, docs/credential-lifecycle.md); the alert rules default to the same windows and follow
    /// the parameters. Azure Monitor's severity "should be an integer between [0-4]. Value of 0 is severest"
    /// (scheduledQueryRules properties, https://learn.microsoft.com/rest/api/monitor/scheduled-query-rules/create-or-update,
    /// read 2026-11-29), so critical must be a smaller number than warning. autoMitigate "indicates whether the alert
    /// should be automatically resolved or not": on, so a rotated credential resolves its alert.
    /// </summary>
    [Theory]
    [InlineData("main", 30, 7)]
    [InlineData("automatic-rotation", 21, 5)]
    public void Credential_expiry_alerts_fire_inside_each_window_with_critical_severer_than_warning(string parameterFile, int warningDays, int criticalDays)
    {
        var rules = infra.Snapshot(parameterFile).OfType(LogAlert).ToDictionary(r => r.At("name").GetString()!.Split('-', 3)[^1], r => r);
        var warning = rules["credential-expiry-warning"];
        var critical = rules["credential-expiry-critical"];
        var warningSeconds = (long)TimeSpan.FromDays(warningDays).TotalSeconds;
        var criticalSeconds = (long)TimeSpan.FromDays(criticalDays).TotalSeconds;

        foreach (var rule in new[] { warning, critical })
        {
            Assert.Contains("customMetrics | where name == \"tokenbroker.credential.expires_in\"", Query(rule), StringComparison.Ordinal);
            Assert.Contains("customDimensions[\"connection\"]", Query(rule), StringComparison.Ordinal);
            Assert.Equal("ExpiresIn", Criterion(rule).At("metricMeasureColumn").GetString());
            Assert.Equal("LessThan", Criterion(rule).At("operator").GetString());
        }

        // Bands, so a credential is in one alert at a time: [critical, warning) and below critical (expired included).
        Assert.EndsWith(string.Create(CultureInfo.InvariantCulture, $"| where ExpiresIn >= {criticalSeconds} and ExpiresIn < {warningSeconds}"), Query(warning), StringComparison.Ordinal);
        Assert.EndsWith(string.Create(CultureInfo.InvariantCulture, $"and ExpiresIn < {criticalSeconds}"), Query(critical), StringComparison.Ordinal);
        Assert.Equal(warningSeconds, Criterion(warning).At("threshold").GetInt64());
        Assert.Equal(criticalSeconds, Criterion(critical).At("threshold").GetInt64());
        Assert.True(critical.At("properties.severity").GetInt32() < warning.At("properties.severity").GetInt32());
        Assert.Contains("expired", critical.At("properties.displayName").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MonitoredParameterFiles))]
    public void Credential_problems_alert_on_any_flag_per_connection(string parameterFile)
    {
        var rule = infra.Snapshot(parameterFile).OfType(LogAlert).Single(r => r.At("name").GetString()!.EndsWith("-credential-problems", StringComparison.Ordinal));

        Assert.Contains("where name == \"tokenbroker.credential.problems\"", Query(rule), StringComparison.Ordinal);
        Assert.Contains("customDimensions[\"flag\"]", Query(rule), StringComparison.Ordinal);
        Assert.EndsWith("| where Problems > 0", Query(rule), StringComparison.Ordinal);
        Assert.Equal(("GreaterThan", 0), (Criterion(rule).At("operator").GetString(), Criterion(rule).At("threshold").GetInt32()));
        Assert.Equal(["connection", "flag"], Criterion(rule).At("dimensions").EnumerateArray().Select(d => d.At("name").GetString()!));
    }

    /// <summary>
    /// The credential figures move by the day (the inventory is read hourly), so the rules look once an hour, over a
    /// window longer than the look so the newest value is found through a quiet spell, and resolve themselves.
    /// </summary>
    [Fact]
    public void Credential_alerts_evaluate_hourly_and_resolve_themselves()
    {
        var rules = infra.Snapshot("main").OfType(LogAlert).Where(r => r.At("name").GetString()!.Contains("-credential-", StringComparison.Ordinal)).ToList();

        Assert.Equal(3, rules.Count);
        Assert.All(rules, r =>
        {
            var frequency = System.Xml.XmlConvert.ToTimeSpan(r.At("properties.evaluationFrequency").GetString()!);
            var window = System.Xml.XmlConvert.ToTimeSpan(r.At("properties.windowSize").GetString()!);
            Assert.Equal(TimeSpan.FromHours(1), frequency);
            Assert.InRange(window, frequency, TimeSpan.FromDays(1));
            Assert.True(r.At("properties.autoMitigate").GetBoolean());
            Assert.True(r.At("properties.enabled").GetBoolean());
        });
    }

    [Fact]
    public void A_critical_window_not_shorter_than_the_warning_window_fails_the_deployment()
    {
        var run = infra.SnapshotRun("inverted-credential-windows");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("credentialCriticalWindowDays must be shorter than credentialWarningWindowDays", run.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MonitoredParameterFiles))]
    public void Metric_alerts_watch_event_delivery_and_key_vault_throttling(string parameterFile)
    {
        var snapshot = infra.Snapshot(parameterFile);
        var rules = snapshot.OfType(MetricAlert).ToDictionary(r => r.At("name").GetString()!.Split('-', 3)[^1], r => r);

        // Scopes are the ids the eventGrid and keyVault modules output, known once they are deployed.
        const string topic = "eventGrid";
        const string vault = "keyVault";

        Assert.Equal(["event-dead-letters", "event-delivery-failures", "event-drops", "key-vault-throttling"], rules.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("DeliveryAttemptFailCount", topic), MetricCriterion(rules["event-delivery-failures"]));
        Assert.Equal(("DeadLetteredCount", topic), MetricCriterion(rules["event-dead-letters"]));
        Assert.Equal(("DroppedEventCount", topic), MetricCriterion(rules["event-drops"]));
        Assert.Equal(("ServiceApiResult", vault), MetricCriterion(rules["key-vault-throttling"]));
        var status = Assert.Single(rules["key-vault-throttling"].At("properties.criteria.allOf").EnumerateArray().Single().At("dimensions").EnumerateArray());
        Assert.Equal("StatusCode", status.At("name").GetString());
        Assert.Equal(["429"], status.At("values").Strings());
    }

    [Fact]
    public void The_action_group_notifies_the_given_addresses()
    {
        var group = infra.Snapshot("locked-down").Single("Microsoft.Insights/actionGroups");

        Assert.Equal("platform-oncall@example.com", Assert.Single(group.At("properties.emailReceivers").EnumerateArray()).At("emailAddress").GetString());
        Assert.Empty(infra.Snapshot("main").Single("Microsoft.Insights/actionGroups").At("properties.emailReceivers").EnumerateArray());
        Assert.Equal("securestring", infra.Main.Root.At("parameters.alertWebhookUrl.type").GetString());
    }

    /// <summary>
    /// The broker's metrics reach Application Insights through the Azure Monitor OpenTelemetry exporter; custom metrics
    /// sent with OpenTelemetry "can be found in the customMetrics table in Application Insights"
    /// (https://learn.microsoft.com/azure/azure-monitor/metrics/metrics-custom-overview), named as the instrument and
    /// with their tags as customDimensions. Every tokenbroker.* name the alerts and the workbook query must therefore
    /// be an instrument the broker creates, and every outcome word one it records.
    /// </summary>
    [Fact]
    public void Every_metric_the_alerts_and_the_workbook_query_is_one_the_broker_records()
    {
        var source = string.Join('\n', Directory.GetFiles(Path.Combine(infra.RepositoryRoot, "src", "TokenBroker"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText));
        var instruments = InstrumentName().Matches(source)
            .Select(m => m.Groups["name"].Value)
            .ToHashSet(StringComparer.Ordinal);
        var queried = string.Join('\n', infra.Templates["modules/alerts.bicep"].Text, infra.Templates["modules/workbook.bicep"].Text, infra.Snapshot("main").Text);

        var used = QueriedMetric().Matches(queried).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("tokenbroker.token_requests", used);
        Assert.All(used, name => Assert.Contains(name, instruments));

        // Outcome words the alerts filter on, as ClientCredentialsClient and SecretEventProcessor record them.
        Assert.Contains("=> \"rejected\"", source, StringComparison.Ordinal);
        Assert.Contains("_ => \"unavailable\"", source, StringComparison.Ordinal);
        Assert.Contains("SecretEvent(\"near_expiry\"", source, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MonitoredParameterFiles))]
    public void A_workbook_shows_the_brokers_metrics_and_the_runbook_queries(string parameterFile)
    {
        var workbook = infra.Snapshot(parameterFile).Single("Microsoft.Insights/workbooks");
        var data = workbook.At("properties.serializedData").GetString()!;

        Assert.Equal("shared", workbook.At("kind").GetString());
        Assert.True(Guid.TryParse(workbook.At("name").GetString(), out _));
        Assert.EndsWith(".outputs.applicationInsightsId.value]", workbook.At("properties.sourceId").GetString(), StringComparison.Ordinal);
        foreach (var expected in new[] { "tokenbroker.cache_hits", "tokenbroker.cache_misses", "tokenbroker.token_requests", "tokenbroker.refreshes", "tokenbroker.token.time_left", "exceptions", "SecretRotationEvents", "Loaded secret" })
        {
            Assert.Contains(expected, data, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(MonitoredParameterFiles))]
    public void Diagnostic_settings_send_vault_storage_app_and_event_grid_logs_to_the_workspace(string parameterFile)
    {
        var settings = infra.Snapshot(parameterFile).OfType(DiagnosticSetting)
            .ToDictionary(
                s => s.At("id").GetString()!.Split("/providers/Microsoft.Insights/")[0].Split("/providers/")[1],
                s => s.At("properties"));

        Assert.Equal(["AuditEvent"], Categories(settings.Single(s => s.Key.StartsWith("Microsoft.KeyVault/vaults/", StringComparison.Ordinal)).Value));
        Assert.Equal(["FunctionAppLogs"], Categories(settings.Single(s => s.Key.StartsWith("Microsoft.Web/sites/", StringComparison.Ordinal)).Value));
        Assert.Equal(["DeliveryFailures"], Categories(settings.Single(s => s.Key.StartsWith("Microsoft.EventGrid/systemTopics/", StringComparison.Ordinal)).Value));
        foreach (var service in new[] { "/blobServices/default", "/queueServices/default", "/tableServices/default" })
        {
            Assert.Equal(["StorageDelete", "StorageRead", "StorageWrite"], Categories(settings.Single(s => s.Key.EndsWith(service, StringComparison.Ordinal)).Value));
        }

        Assert.Equal(6, settings.Count);
        Assert.All(settings.Values, s => Assert.EndsWith(".outputs.workspaceId.value]", s.At("workspaceId").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public void An_existing_workspace_and_application_insights_are_used_instead_of_new_ones()
    {
        var snapshot = infra.Snapshot("redeployment");

        Assert.Empty(snapshot.OfType("Microsoft.OperationalInsights/workspaces"));
        Assert.Empty(snapshot.OfType("Microsoft.Insights/components"));
        Assert.EndsWith(".outputs.applicationInsightsConnectionString.value]", snapshot.AppSettings["APPLICATIONINSIGHTS_CONNECTION_STRING"], StringComparison.Ordinal);
        Assert.Equal(6, snapshot.OfType(DiagnosticSetting).Count);
    }

    private static string Query(System.Text.Json.JsonElement rule) =>
        Criterion(rule).At("query").GetString()!;

    private static System.Text.Json.JsonElement Criterion(System.Text.Json.JsonElement rule) =>
        rule.At("properties.criteria.allOf").EnumerateArray().Single();

    private static (string? Metric, string? Module) MetricCriterion(System.Text.Json.JsonElement rule)
    {
        var scope = Assert.Single(rule.At("properties.scopes").Strings());
        Assert.EndsWith(".outputs.id.value]", scope, StringComparison.Ordinal);
        var module = ModuleOutput().Match(scope).Groups["module"].Value;
        return (rule.At("properties.criteria.allOf").EnumerateArray().Single().At("metricName").GetString(), module);
    }

    [GeneratedRegex("format\\('(?<module>[A-Za-z]+)-\\{0\\}'")]
    private static partial Regex ModuleOutput();

    private static List<string> Categories(System.Text.Json.JsonElement setting) =>
        setting.At("logs").EnumerateArray().Select(l => l.At("category").GetString()!).Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex("\"(?<name>tokenbroker\\.[a-z_.]+)\"")]
    private static partial Regex InstrumentName();

    [GeneratedRegex("(?<name>tokenbroker\\.[a-z_]+(\\.[a-z_]+)?)")]
    private static partial Regex QueriedMetric();

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
