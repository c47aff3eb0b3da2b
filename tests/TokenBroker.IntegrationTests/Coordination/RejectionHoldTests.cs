using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TokenBroker.IntegrationTests.Infrastructure.Faults;

namespace TokenBroker.IntegrationTests.Coordination;

/// <summary>
/// The rejection hold exists for refused credentials (every version tried), so that the broker does not trip the
/// server's lockout; other refusals are answered as they are and tried again.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class RejectionHoldTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task A_refusal_that_is_not_about_the_credential_is_not_held()
    {
        await using var endpoint = await FaultServer.StartAsync(
            static context =>
            {
                context.Response.StatusCode = 400;
                context.Response.ContentType = "application/json";
                return context.Response.WriteAsync(JsonSerializer.Serialize(new { error = "invalid_scope" }));
            },
            https: false);
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Connections:demo:TokenEndpoint"] = new Uri(endpoint.Uri, "connect/token").AbsoluteUri;
        await using var broker = await fixture.StartBrokerAsync(settings);

        var first = await broker.RequestTokenAsync("demo");
        var second = await broker.RequestTokenAsync("demo");

        Assert.Equal(502, first.Status);
        Assert.Equal(502, second.Status);
        Assert.Equal(2, endpoint.Requests);
    }

    [Fact]
    public async Task A_secret_refused_in_every_version_is_held_for_every_caller()
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Secrets:demo-secret"] = "refused-secret-4c1d9e";
        fixture.Sink.AddSensitive("refused-secret-4c1d9e");
        await using var broker = await fixture.StartBrokerAsync(settings);
        var before = fixture.Authorization.Requests.Count;

        var first = await broker.RequestTokenAsync("demo");
        var afterFirst = fixture.Authorization.Requests.Count;
        var second = await broker.RequestTokenAsync("demo");

        Assert.Equal(502, first.Status);
        Assert.Equal(502, second.Status);
        Assert.Equal(afterFirst, fixture.Authorization.Requests.Count);
        Assert.True(afterFirst > before);
    }
}
