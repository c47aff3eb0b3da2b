using System.Text.Json;
using TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

namespace TokenBroker.IntegrationTests.Functions;

/// <summary>The built Functions app, started as the Functions host starts it, indexes and loads what functions.metadata declares.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class WorkerStartupTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task The_worker_reports_every_function_of_functions_metadata_with_the_same_trigger()
    {
        var host = await fixture.WorkerAsync();
        var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(WorkerProcess.AppDirectory, "functions.metadata"))).RootElement;

        var declared = metadata.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("bindings")[0]);
        Assert.Equal(declared.Keys.Order(), host.Functions.Select(f => f.Name).Order());
        foreach (var function in host.Functions)
        {
            var trigger = declared[function.Name];
            Assert.Equal(trigger.GetProperty("type").GetString(), function.TriggerType);
            Assert.Equal(trigger.TryGetProperty("route", out var route) ? route.GetString() : null, function.Property("route"));
        }

        Assert.Equal("127.0.0.1", host.WorkerHttpUri.Host is "localhost" ? "127.0.0.1" : host.WorkerHttpUri.Host);
    }
}
