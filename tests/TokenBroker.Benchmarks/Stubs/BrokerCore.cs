using System.Diagnostics.Metrics;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using TokenBroker.Acquisition;

namespace TokenBroker.Benchmarks.Stubs;

/// <summary>
/// The broker core composed as the hosts compose it (the same DI entry points, options and validation), with the token
/// endpoint's primary handler pointed at <see cref="StubAuthorizationServer"/> and Table Storage unreachable.
/// </summary>
internal sealed class BrokerCore : IAsyncDisposable
{
    public const string Connection = "payments";

    // Azure Monitor's default; no export happens within a benchmark anyway.
    private const int ExportIntervalMilliseconds = 60_000;

    private readonly IHost _host;

    private BrokerCore(IHost host, StubAuthorizationServer server)
    {
        _host = host;
        AuthorizationServer = server;
        Broker = host.Services.GetRequiredService<TokenBrokerService>();
    }

    public TokenBrokerService Broker { get; }

    public StubAuthorizationServer AuthorizationServer { get; }

    /// <summary>Starts a broker core.</summary>
    /// <param name="withHostTelemetry">
    /// Compose with <c>AddTokenBrokerFunctions</c>, as both hosts do, plus a metric reader as in Azure (where the Azure
    /// Monitor exporter attaches one), so OpenTelemetry aggregates every measurement on the hot path; otherwise with
    /// <c>AddTokenBroker</c> alone, where nothing listens to the broker's meter.
    /// </param>
    /// <param name="authorizationServerLatency">How long the stub takes to answer a token request.</param>
    public static async Task<BrokerCore> StartAsync(bool withHostTelemetry = false, TimeSpan? authorizationServerLatency = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenBroker:Connections:payments:TokenEndpoint"] = "https://login.microsoftonline.com/4b6c2a3e-9f1d-4e8a-b7c5-1d2e3f4a5b6c/oauth2/v2.0/token",
            ["TokenBroker:Connections:payments:ClientId"] = "9a1c5d7e-3b2f-4c6d-8e0a-000000000000",
            ["TokenBroker:Connections:payments:SecretName"] = "payments-secret",
            ["TokenBroker:Connections:payments:Scopes"] = "api://payments-api/.default",
            ["TokenBroker:Secrets:payments-secret"] = "benchmark-secret-0b1c2d3e4f",
            ["TokenBroker:TokenEndpoint:MaxRetryAttempts"] = "0",
        });

        var server = new StubAuthorizationServer(TimeProvider.System, authorizationServerLatency);
        builder.Services.AddSingleton<TableClient>(new UnavailableTableClient());
        if (withHostTelemetry)
        {
            builder.Services.AddTokenBrokerFunctions(builder.Configuration)
                .WithMetrics(metrics => metrics.AddReader(new PeriodicExportingMetricReader(new DiscardingMetricExporter(), ExportIntervalMilliseconds)));
        }
        else
        {
            builder.Services.AddTokenBroker(builder.Configuration);
        }

        // The factory would dispose a handler it created when the handler's lifetime ends; this one lives as long as the host.
        builder.Services.AddHttpClient(ClientCredentialsClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => server)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        var host = builder.Build();
        await host.StartAsync();
        return new BrokerCore(host, server);
    }

    /// <summary>Whether anything listens to the broker's cache-hit counter, that is whether the hot path records metrics.</summary>
    public bool MetricsAreRecorded()
    {
        var factory = _host.Services.GetRequiredService<IMeterFactory>();
        var enabled = false;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "tokenbroker.cache_hits")
                {
                    enabled = instrument.Enabled;
                }
            },
        };
        listener.Start();
        return enabled;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        AuthorizationServer.Dispose();
    }
}
