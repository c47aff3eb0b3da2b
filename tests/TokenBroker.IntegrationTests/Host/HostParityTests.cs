using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using TokenBroker.Host;

namespace TokenBroker.IntegrationTests.Host;

/// <summary>The standalone host serves exactly the HTTP functions Azure would, with the same routes, methods and levels.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class HostParityTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task Every_http_function_in_functions_metadata_is_mapped_with_the_same_route_method_and_level()
    {
        await using var broker = await fixture.StartBrokerAsync();
        var endpoints = broker.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "functions.metadata"))).RootElement;

        var httpFunctions = 0;
        foreach (var function in metadata.EnumerateArray())
        {
            var trigger = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In");
            if (trigger.GetProperty("type").GetString() != "httpTrigger")
            {
                continue;
            }

            httpFunctions++;
            var name = function.GetProperty("name").GetString();
            var endpoint = Assert.Single(endpoints, e => e.Metadata.GetMetadata<FunctionRoute>()?.FunctionName == name);
            Assert.Equal("api/" + trigger.GetProperty("route").GetString(), endpoint.RoutePattern.RawText!.TrimStart('/'));
            Assert.Equal(trigger.GetProperty("authLevel").GetString(), endpoint.Metadata.GetMetadata<FunctionRoute>()!.Level.ToString());
            Assert.Equal(
                trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order(),
                endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Order());
        }

        Assert.Equal(httpFunctions, endpoints.Count(e => e.Metadata.GetMetadata<FunctionRoute>() is not null));
        Assert.True(httpFunctions >= 2);
    }
}
