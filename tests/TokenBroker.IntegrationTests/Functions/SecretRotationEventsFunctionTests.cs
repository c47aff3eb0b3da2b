using TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

namespace TokenBroker.IntegrationTests.Functions;

/// <summary>The queue function in the real worker, fed by the stand-in host's queue trigger from Azurite with the host's retry and poison rules.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class SecretRotationEventsFunctionTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task A_new_secret_version_event_reacquires_and_a_malformed_message_is_retried_to_max_dequeue_count_then_poisoned()
    {
        var host = await fixture.WorkerAsync();
        await DemoToken.RequestAsync(fixture, host.Client);
        await using var listener = await QueueTriggerListener.StartAsync(host, "SecretRotationEvents");
        var version = fixture.Vault.SetSecret("demo-secret", AuthorizationServer.ClientSecret);
        var before = fixture.Authorization.Requests.Count;

        var good = (await listener.Queue.SendMessageAsync(SecretEvents.NewVersion("demo-secret", version, fixture.Vault.Uri.Host))).Value.MessageId;
        var bad = (await listener.Queue.SendMessageAsync("this is not an event")).Value.MessageId;

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && (await listener.PoisonQueue.PeekMessagesAsync()).Value.Length == 0)
        {
            await Task.Delay(100);
        }

        Assert.Equal(before + 1, fixture.Authorization.Requests.Count);
        Assert.Contains(fixture.Vault.RequestLog, line => line.Contains($"/secrets/demo-secret", StringComparison.Ordinal));
        var goodDeliveries = listener.Deliveries.Where(d => d.MessageId == good).ToList();
        Assert.True(Assert.Single(goodDeliveries).Succeeded);
        var badDeliveries = listener.Deliveries.Where(d => d.MessageId == bad).ToList();
        Assert.Equal(Enumerable.Range(1, host.HostJson.MaxDequeueCount).Select(n => (long)n), badDeliveries.Select(d => d.DequeueCount));
        Assert.All(badDeliveries, d => Assert.False(d.Succeeded));
        Assert.Equal("this is not an event", (await listener.PoisonQueue.PeekMessagesAsync()).Value.Single().Body.ToString());
        Assert.Empty((await listener.Queue.PeekMessagesAsync()).Value);
    }
}
