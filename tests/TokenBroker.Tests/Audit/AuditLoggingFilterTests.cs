using System.Collections.Concurrent;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.ApplicationInsights;
using TokenBroker.Audit;

namespace TokenBroker.Tests.Audit;

/// <summary>
/// Application Insights keeps only Warning and above by default: "By default, the Application Insights provider only
/// sends logs with a severity of Warning or higher" (https://learn.microsoft.com/azure/azure-monitor/app/ilogger). The
/// Functions isolated worker's Application Insights integration does it with a filter rule on the provider
/// (https://learn.microsoft.com/azure/azure-functions/dotnet-isolated-process-guide, "Application Insights"); the logging
/// package alone adds none, so the test adds that rule as the worker does. The audit records are Information, so the
/// composition must keep them through it.
/// </summary>
public sealed class AuditLoggingFilterTests
{
    [Fact]
    public void Audit_records_reach_application_insights_through_its_default_warning_rule_with_their_properties_as_custom_dimensions()
    {
        var channel = new CapturingChannel();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .AddApplicationInsights(
                configuration =>
                {
                    configuration.TelemetryChannel = channel;
                    configuration.ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000";
                },
                _ => { })
            .AddFilter<ApplicationInsightsLoggerProvider>(null, LogLevel.Warning));
        services.KeepAuditRecords();
        using var provider = services.BuildServiceProvider();
        var loggers = provider.GetRequiredService<ILoggerFactory>();

        loggers.CreateLogger("TokenBroker.Caching").LogInformation("Not an audit record {Value}", 1);
        loggers.CreateLogger(AuditEventNames.Category).LogInformation("Audit {AuditEvent}: token {TokenFingerprint}", AuditEventNames.TokenIssued, "0123456789abcdef");

        // Only the audit record went through: the provider's own rule is in force for everything else.
        var trace = Assert.IsType<TraceTelemetry>(Assert.Single(channel.Items));
        Assert.Equal(AuditEventNames.TokenIssued, trace.Properties["AuditEvent"]);
        Assert.Equal("0123456789abcdef", trace.Properties["TokenFingerprint"]);
    }

    [Fact]
    public void Configuration_cannot_turn_the_audit_category_off()
    {
        var records = new List<string>();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .AddFilter(AuditEventNames.Category, LogLevel.None)
            .SetMinimumLevel(LogLevel.Error)
            .AddProvider(new ListProvider(records)));
        services.KeepAuditRecords();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<ILoggerFactory>().CreateLogger(AuditEventNames.Category).LogInformation("Audit {AuditEvent}", AuditEventNames.TokenDenied);

        Assert.Single(records);
    }

    private sealed class CapturingChannel : ITelemetryChannel
    {
        private readonly ConcurrentQueue<ITelemetry> _items = new();

        public IReadOnlyList<ITelemetry> Items => [.. _items];

        public bool? DeveloperMode { get; set; }

        public string EndpointAddress { get; set; } = string.Empty;

        public void Send(ITelemetry item) => _items.Enqueue(item);

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class ListProvider(List<string> records) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(records);

        public void Dispose()
        {
        }

        private sealed class ListLogger(List<string> records) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                records.Add(formatter(state, exception));
        }
    }
}
