using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using TokenBroker.Audit;
using TokenBroker.Diagnostics;
using TokenBroker.Functions.Functions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The one composition of the broker, shared by the Azure Functions worker and the standalone host,
/// so both run the same services and the same function classes.
/// </summary>
public static class TokenBrokerFunctionsServiceCollectionExtensions
{
    /// <summary>Adds the broker core, its telemetry and the function classes.</summary>
    /// <returns>The OpenTelemetry builder, for a host to add its own instrumentation.</returns>
    public static IOpenTelemetryBuilder AddTokenBrokerFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddTokenBroker(configuration);
        services.SkipDataProtectionKeyRingPreload();

        // The Functions worker creates function instances itself; the standalone host resolves them from here.
        services.TryAddSingleton<TokenFunction>();
        services.TryAddSingleton<HealthFunction>();
        services.TryAddSingleton<OperationsFunctions>();

        // Caller ids are logged for audit, classified so a deployment can pseudonymize them (an HMAC redactor) without a
        // code change; anything classified that has no redactor of its own is erased rather than written.
        services.AddRedaction(redaction =>
        {
            redaction.SetRedactor<NullRedactor>(TokenBrokerTaxonomy.CallerIdentifier);
            redaction.SetFallbackRedactor<ErasingRedactor>();
        });

        services.KeepAuditRecords();
        var telemetry = services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(TokenBrokerMetrics.MeterName));
        if (!string.IsNullOrWhiteSpace(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
        {
            // Application Insights with local auth disabled: the exporter signs in with the app's identity.
            telemetry.UseAzureMonitorExporter();
            services.AddOptions<AzureMonitorExporterOptions>()
                .Configure<TokenCredential>((options, credential) => options.Credential = credential);
        }

        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // Any OpenTelemetry collector (the standalone host in a container, a local Aspire dashboard).
            telemetry.UseOtlpExporter();
        }

        return telemetry;
    }

    /// <summary>
    /// Removes data protection's start-up preload of its key ring, which the Functions worker's ASP.NET Core integration
    /// registers. It is a hosted service whose start reads (and on a new instance creates and writes) the key ring
    /// synchronously, before the next hosted service may start, so every new instance paid for it before its first token.
    /// The broker protects nothing with data protection (no cookies, no antiforgery, no sessions); were anything to, its
    /// key ring would load on its first use, as the preload's own failure path already allows. Data protection's services
    /// stay registered. True when the preload was registered and is now removed.
    /// </summary>
    internal static bool SkipDataProtectionKeyRingPreload(this IServiceCollection services)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            // Internal to its package, so found by name; if it is renamed, it stays and costs what it cost before.
            if (services[i].ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService) && !services[i].IsKeyedService
                && services[i].ImplementationType?.FullName == DataProtectionPreload)
            {
                services.RemoveAt(i);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Keeps the audit category at Information for every logging provider, whatever the defaults or the configuration
    /// say. A rule that names a provider beats one that does not, so the category gets a rule of its own for the providers
    /// known to filter by default: the Application Insights provider (its default rule keeps Warning and above only, also
    /// when the Functions worker adds it) and OpenTelemetry's (through which the Azure Monitor exporter sends logs).
    /// Registered after the configuration's rules, so among rules as specific it is the last and wins.
    /// </summary>
    internal static IServiceCollection KeepAuditRecords(this IServiceCollection services) =>
        services.Configure<LoggerFilterOptions>(filters =>
        {
            filters.Rules.Add(new LoggerFilterRule(null, AuditEventNames.Category, LogLevel.Information, null));
            filters.Rules.Add(new LoggerFilterRule(OpenTelemetryProviderAlias, AuditEventNames.Category, LogLevel.Information, null));
            filters.Rules.Add(new LoggerFilterRule(ApplicationInsightsProvider, AuditEventNames.Category, LogLevel.Information, null));
        });

    private const string DataProtectionPreload = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";

    // The alias OpenTelemetry's logger provider declares, and the full name of the Application Insights one (which declares
    // none): the names filter rules match providers by. Neither package is needed for the rule to apply when present.
    private const string OpenTelemetryProviderAlias = "OpenTelemetry";
    private const string ApplicationInsightsProvider = "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider";
}
