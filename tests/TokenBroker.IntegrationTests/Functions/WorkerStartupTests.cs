using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using TokenBroker.Host;
using TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

namespace TokenBroker.IntegrationTests.Functions;

/// <summary>The built Functions app, started as the Functions host starts it, indexes and loads what functions.metadata declares.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class WorkerStartupTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task The_worker_reports_every_function_of_functions_metadata_with_the_same_trigger_and_the_standalone_hosts_routes()
    {
        var host = await fixture.WorkerAsync();
        var standalone = await fixture.StandaloneAsync();
        var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(WorkerProcess.AppDirectory, "functions.metadata"))).RootElement;
        var routes = standalone.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<FunctionRoute>() is not null)
            .ToDictionary(e => e.Metadata.GetMetadata<FunctionRoute>()!.FunctionName, e => e.RoutePattern.RawText!.TrimStart('/'));

        var declared = metadata.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("bindings")[0]);
        Assert.Equal(declared.Keys.Order(), host.Functions.Select(f => f.Name).Order());
        foreach (var function in host.Functions)
        {
            var trigger = declared[function.Name];
            Assert.Equal(trigger.GetProperty("type").GetString(), function.TriggerType);
            Assert.Equal(trigger.TryGetProperty("route", out var route) ? route.GetString() : null, function.Property("route"));
            if (function.IsHttp)
            {
                Assert.Equal($"{host.HostJson.RoutePrefix}/{function.Property("route")}", routes[function.Name]);
                Assert.Equal(trigger.GetProperty("authLevel").GetString(), function.Property("authLevel"));
            }
        }

        Assert.Equal(routes.Keys.Order(), host.Functions.Where(f => f.IsHttp).Select(f => f.Name).Order());
        Assert.True(host.WorkerHttpUri.IsLoopback);
    }

    [Fact]
    public async Task A_new_worker_listens_before_the_host_knows_where_so_its_first_request_is_not_retried()
    {
        await fixture.WorkerAsync();
        var settings = new Dictionary<string, string?>(fixture.WorkerSettings)
        {
            ["TokenBroker:TokenCache:TableName"] = IntegrationFixture.NewTableName(),
        };
        await using var host = await FunctionsHost.StartAsync(settings, fixture.Sink, fixture.FunctionKey);

        // Asked the moment the handshake is over, as Azure's front end would: the worker's web server started before its gRPC
        // connection, so the listener already accepts and the stand-in (which retries as Azure's host does) never retries.
        using var health = await host.Client.GetAsync("/api/health");

        Assert.Equal(200, (int)health.StatusCode);
        Assert.Equal(0, host.ForwardRetries);
    }
}
