using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Queues;
using TokenBroker.Rotation;
using TokenBroker.Tests.Support;

namespace TokenBroker.IntegrationTests.Rotation;

/// <summary>Key Vault events as Event Grid delivers them, through the same processor the queue trigger calls.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class SecretEventTests(IntegrationFixture fixture)
{
    private const string RotatedSecret = "event-rotated-secret-61d2f0";

    public static TheoryData<string> Encodings => ["event-grid", "cloud-event", "event-grid-base64", "cloud-event-base64"];

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task A_new_version_event_reacquires_the_connections_token_with_the_new_secret(string encoding)
    {
        var (broker, vault) = await StartAsync();
        await using var _ = broker;
        await broker.RequestTokenAsync("demo");
        await fixture.Authorization.Secrets.AddSecretAsync(AuthorizationServer.ClientId, RotatedSecret);
        try
        {
            var version = vault.Add(RotatedSecret);
            var before = fixture.Authorization.Requests.Count;

            await broker.Services.GetRequiredService<SecretEventProcessor>().HandleAsync(Message(encoding, SecretEvent.NewVersionCreated, version), CancellationToken.None);

            Assert.Equal(before + 1, fixture.Authorization.Requests.Count);
            Assert.True(fixture.Authorization.Requests.Records[^1].Succeeded);
            broker.Services.GetRequiredService<TokenBroker.Connections.ConnectionRegistry>().TryGet("demo", out var connection);
            var entry = (await broker.Services.GetRequiredService<TokenBroker.Caching.TableTokenStore>().ReadAsync(connection!.DefaultCacheKey, CancellationToken.None)).Entry;
            Assert.Equal(version, entry!.Token!.SecretVersion);
        }
        finally
        {
            await fixture.Authorization.Secrets.RemoveSecretAsync(AuthorizationServer.ClientId, RotatedSecret);
        }
    }

    [Theory]
    [InlineData(SecretEvent.NearExpiry, "Warning", "type=near_expiry")]
    [InlineData(SecretEvent.Expired, "Error", "type=expired")]
    public async Task Near_expiry_and_expired_events_are_logged_and_counted_without_calling_the_server(string type, string level, string metricTag)
    {
        var (broker, _) = await StartAsync();
        await using var _b = broker;
        var before = fixture.Authorization.Requests.Count;
        var logged = fixture.Sink.EmittedCount;

        await broker.Services.GetRequiredService<SecretEventProcessor>().HandleAsync(SecretEvents.CloudEvent(type, "demo-secret", "v1", 1_800_000_000), CancellationToken.None);

        var emitted = fixture.Sink.Emitted.Skip(logged).ToList();
        Assert.Equal(before, fixture.Authorization.Requests.Count);
        Assert.Contains(emitted, line => line.StartsWith($"{level} TokenBroker.Rotation.SecretEventProcessor", StringComparison.Ordinal) && line.Contains("demo-secret", StringComparison.Ordinal));
        Assert.Contains(emitted, line => line == $"metric tokenbroker.secret_events {metricTag}");
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"hello\":\"world\"}")]
    [InlineData("[42]")]
    public async Task A_malformed_message_is_refused_so_the_queue_can_poison_it(string body)
    {
        var (broker, _) = await StartAsync();
        await using var _b = broker;

        await Assert.ThrowsAnyAsync<Exception>(() => broker.Services.GetRequiredService<SecretEventProcessor>().HandleAsync(BinaryData.FromString(body), CancellationToken.None));
    }

    [Fact]
    public async Task The_standalone_host_drains_the_rotation_queue_and_moves_poison_messages_aside()
    {
        var queueName = "rotation" + Guid.NewGuid().ToString("N")[..12];
        var (broker, vault) = await StartAsync(new()
        {
            ["TokenBroker:RotationQueue:ConnectionString"] = fixture.Storage.ConnectionString,
            ["TokenBroker:RotationQueue:QueueName"] = queueName,
            ["TokenBroker:RotationQueue:MaxDequeueCount"] = "2",
            ["TokenBroker:RotationQueue:RetryDelay"] = "00:00:01",
            ["TokenBroker:RotationQueue:PollInterval"] = "00:00:00.100",
        });
        await using var _b = broker;
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        var queue = new QueueClient(fixture.Storage.ConnectionString, queueName, options);
        var poison = new QueueClient(fixture.Storage.ConnectionString, queueName + "-poison", options);
        await queue.CreateIfNotExistsAsync();
        var version = vault.Add(AuthorizationServer.ClientSecret);
        var before = fixture.Authorization.Requests.Count;

        await queue.SendMessageAsync("this is not an event");
        await queue.SendMessageAsync(SecretEvents.NewVersion("demo-secret", version));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !(await poison.ExistsAsync() && (await poison.PeekMessagesAsync()).Value.Length == 1 && fixture.Authorization.Requests.Count > before))
        {
            await Task.Delay(100);
        }

        Assert.Equal("this is not an event", (await poison.PeekMessagesAsync()).Value.Single().Body.ToString());
        Assert.Empty((await queue.PeekMessagesAsync()).Value);
        Assert.Equal(before + 1, fixture.Authorization.Requests.Count);
    }

    private static BinaryData Message(string encoding, string type, string version) => encoding switch
    {
        "event-grid" => SecretEvents.EventGrid(type, "demo-secret", version, null),
        "cloud-event" => SecretEvents.CloudEvent(type, "demo-secret", version, null),
        "event-grid-base64" => SecretEvents.Base64(SecretEvents.EventGrid(type, "demo-secret", version, null)),
        _ => SecretEvents.Base64(SecretEvents.CloudEvent(type, "demo-secret", version, null)),
    };

    private async Task<(BrokerInstance Broker, VaultMock Vault)> StartAsync(Dictionary<string, string?>? extra = null)
    {
        fixture.Sink.AddSensitive(RotatedSecret);
        var vault = new VaultMock("demo-secret");
        vault.Add(AuthorizationServer.ClientSecret);
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:KeyVaultUri"] = "https://vault.vault.azure.net/";
        settings["TokenBroker:Secrets:demo-secret"] = null;
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var broker = await fixture.StartBrokerAsync(settings, services => services.AddSingleton<SecretClient>(vault.Client.Object));
        return (broker, vault);
    }
}
