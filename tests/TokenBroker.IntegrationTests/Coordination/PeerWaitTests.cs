using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TokenBroker.IntegrationTests.Infrastructure.Faults;

namespace TokenBroker.IntegrationTests.Coordination;

/// <summary>
/// An instance that lost an entry's lease waits for the holder's token on a schedule: it reads the table a bounded number
/// of times, and still takes the holder's token rather than asking the authorization server again.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class PeerWaitTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task An_instance_that_lost_the_lease_to_a_slow_holder_takes_its_token_within_the_read_limit()
    {
        var token = "peer-wait-" + Guid.NewGuid().ToString("N");
        fixture.Sink.AddSensitive(token);

        // A slow authorization server: the holder's fetch outlasts ten reads at the old fixed 100 ms interval.
        await using var endpoint = await FaultServer.StartAsync(
            async context =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1), context.RequestAborted);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(new { access_token = token, token_type = "Bearer", expires_in = 3600 }));
            },
            https: false);
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Connections:demo:TokenEndpoint"] = new Uri(endpoint.Uri, "connect/token").AbsoluteUri;
        settings["TokenBroker:Refresh:Enabled"] = "false";
        settings["TokenBroker:Coordination:PeerReadLimit"] = "4";
        settings["TokenBroker:Coordination:PeerWait"] = "00:00:02";
        var table = settings["TokenBroker:TokenCache:TableName"]!;
        TableTrafficControl[] controls = [new(), new()];
        await using var first = await fixture.StartBrokerAsync(settings, services => services.AddSingleton(controls[0].Client(fixture.Storage.ConnectionString, table)));
        await using var second = await fixture.StartBrokerAsync(settings, services => services.AddSingleton(controls[1].Client(fixture.Storage.ConnectionString, table)));
        await Task.WhenAll(first.WarmedUpAsync(), second.WarmedUpAsync());
        var readsBefore = controls.Sum(control => control.EntityReads);

        var calls = await Task.WhenAll(first.RequestTokenAsync("demo"), second.RequestTokenAsync("demo"));

        Assert.All(calls, call => Assert.Equal(200, call.Status));
        Assert.All(calls, call => Assert.Equal(token, call.AccessToken));
        Assert.Equal(1, endpoint.Requests);

        // Each instance reads the entry once before the lease; the one that lost it reads at most 4 times more.
        Assert.InRange(controls.Sum(control => control.EntityReads) - readsBefore, 3, 2 + 4);
    }
}
