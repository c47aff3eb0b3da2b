using TokenBroker.IntegrationTests.Infrastructure.Faults;

namespace TokenBroker.IntegrationTests.Host;

/// <summary>
/// The standalone host drains the rotation queue with the real <c>QueueClient</c>. Storage failing must never stop the
/// host: a hosted service that throws ends the process, and the process serves tokens.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class RotationQueuePumpOutageTests(IntegrationFixture fixture)
{
    [Theory]
    [InlineData("refused")]
    [InlineData("status_503_retry_after")]
    [InlineData("malformed_body")]
    [InlineData("truncated_body")]
    public async Task Queue_storage_failing_is_logged_and_the_host_keeps_serving_tokens(string fault)
    {
        await using var storage = await FaultServer.StartAsync();
        await storage.SetFaultAsync(Fault.Matrix[fault]);
        var queue = "q" + Guid.NewGuid().ToString("N")[..12];
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:RotationQueue:ConnectionString"] =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};QueueEndpoint={storage.Uri}devstoreaccount1;";
        settings["TokenBroker:RotationQueue:QueueName"] = queue;
        settings["TokenBroker:RotationQueue:PollInterval"] = "00:00:00.200";
        await using var broker = await fixture.StartBrokerAsync(settings);
        var lifetime = broker.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>();

        // Two failed polls in a row: the pump survived the first and backed off.
        await WaitUntilAsync(() => fixture.Sink.Emitted.Count(line => line.Contains($"Rotation queue {queue} unavailable", StringComparison.Ordinal)) >= 2 || lifetime.ApplicationStopping.IsCancellationRequested);
        var call = await broker.RequestTokenAsync("demo");

        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the host stopped");
        Assert.Equal(200, call.Status);
    }

    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // Not a speed assumption: a generous bound only so that a broken pump fails the test instead of hanging it.
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!condition())
        {
            await Task.Delay(100, bound.Token);
        }
    }
}
