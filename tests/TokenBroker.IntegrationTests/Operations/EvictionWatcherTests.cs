using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using TokenBroker.Caching;
using TokenBroker.Operations;

namespace TokenBroker.IntegrationTests.Operations;

/// <summary>The eviction watcher against the real TableClient: Azurite, and a real refused connection when storage is down.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class EvictionWatcherTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task A_failed_generations_poll_keeps_the_last_known_stamps_and_drops_no_token()
    {
        var settings = fixture.BrokerSettings();

        // A clock nobody advances: the hosted watcher polls once at start and then waits, so the test drives every poll.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var control = new TableTrafficControl();
        await using var broker = await fixture.StartBrokerAsync(settings, services => services
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton(control.Client(fixture.Storage.ConnectionString, settings["TokenBroker:TokenCache:TableName"]!)));
        var watcher = broker.Services.GetServices<IHostedService>().OfType<EvictionWatcher>().Single();
        var memory = broker.Services.GetRequiredService<MemoryTokenCache>();
        Assert.True(await broker.Services.GetRequiredService<OperationsService>().EvictAsync("demo", CancellationToken.None));
        await watcher.CheckAsync(CancellationToken.None);
        Assert.Equal(200, (await broker.RequestTokenAsync("demo")).Status);
        var logged = fixture.Sink.EmittedCount;

        control.Down = true;
        await watcher.CheckAsync(CancellationToken.None);
        control.Down = false;
        await watcher.CheckAsync(CancellationToken.None);

        Assert.Contains(fixture.Sink.Emitted.Skip(logged), line => line.Contains("Token cache generations failed", StringComparison.Ordinal));
        Assert.Equal(1, memory.Count);
    }
}
