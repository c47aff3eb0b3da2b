using System.Collections.Concurrent;
using Azure.Security.KeyVault.Secrets;
using TokenBroker.Rotation;
using TokenBroker.Tests.Support;

namespace TokenBroker.IntegrationTests;

/// <summary>
/// Ops rotate a secret while callers keep asking: tokens live three seconds so the broker re-acquires several times during
/// the run, the vault is Moq over SecretClient, the authorization server is the real one with its secrets changed mid-run.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class RotationTests(IntegrationFixture fixture)
{
    private const string NewSecret = "rotated-secret-4c0e9b7d2a";

    [Fact]
    public async Task Rotating_in_the_documented_order_under_load_fails_no_request()
    {
        await using var server = await AuthorizationServer.StartAsync(TimeSpan.FromSeconds(3));
        var vault = new VaultMock("demo-secret");
        var v1 = vault.Add(AuthorizationServer.ClientSecret);
        await using var broker = await StartBrokerAsync(server, vault);

        var statuses = await UnderLoadAsync(broker, TimeSpan.FromSeconds(7), async () =>
        {
            await Task.Delay(800);
            await server.Secrets.AddSecretAsync(AuthorizationServer.ClientId, NewSecret); // 1. register the new secret
            await Task.Delay(400);
            vault.Add(NewSecret);                                                          // 2. store it in Key Vault
            await Task.Delay(800);
            await server.Secrets.RemoveSecretAsync(AuthorizationServer.ClientId, AuthorizationServer.ClientSecret); // 3. revoke the old one
        });

        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Contains(server.Requests.Records, r => r.Error == "invalid_client");
        Assert.Equal("v2", await LastSecretVersionAsync(broker));
        Assert.Equal("v1", v1);
    }

    [Fact]
    public async Task Storing_the_new_secret_before_registering_it_fails_no_request_thanks_to_the_overlap_window()
    {
        await using var server = await AuthorizationServer.StartAsync(TimeSpan.FromSeconds(3));
        var vault = new VaultMock("demo-secret");
        vault.Add(AuthorizationServer.ClientSecret);
        await using var broker = await StartBrokerAsync(server, vault);
        var processor = broker.Services.GetRequiredService<SecretEventProcessor>();

        var statuses = await UnderLoadAsync(broker, TimeSpan.FromSeconds(8), async () =>
        {
            await Task.Delay(800);
            var v2 = vault.Add(NewSecret);                                                 // stored first: not yet valid
            await processor.HandleAsync(SecretEvents.NewVersion("demo-secret", v2), CancellationToken.None);
            await Task.Delay(1500);
            await server.Secrets.AddSecretAsync(AuthorizationServer.ClientId, NewSecret);
            await Task.Delay(400);
            await server.Secrets.RemoveSecretAsync(AuthorizationServer.ClientId, AuthorizationServer.ClientSecret);
        });

        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Equal("v2", await LastSecretVersionAsync(broker));
    }

    private Task<BrokerInstance> StartBrokerAsync(AuthorizationServer server, VaultMock vault)
    {
        fixture.Sink.AddSensitive(NewSecret);
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Connections:demo:TokenEndpoint"] = server.TokenEndpoint.AbsoluteUri;
        settings["TokenBroker:KeyVaultUri"] = "https://vault.vault.azure.net/";
        settings["TokenBroker:SecretCacheDuration"] = "01:00:00";
        settings["TokenBroker:Secrets:demo-secret"] = null;
        return fixture.StartBrokerAsync(settings, services => services.AddSingleton<SecretClient>(vault.Client.Object));
    }

    private static async Task<ConcurrentBag<int>> UnderLoadAsync(BrokerInstance broker, TimeSpan duration, Func<Task> rotation)
    {
        var statuses = new ConcurrentBag<int>();
        using var stop = new CancellationTokenSource(duration);
        var callers = Enumerable.Range(0, 6).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                statuses.Add((await broker.RequestTokenAsync("demo")).Status);
                await Task.Delay(20);
            }
        }).ToList();

        await rotation();
        await Task.WhenAll(callers);
        Assert.True(statuses.Count > 100, $"only {statuses.Count} requests were made");
        return statuses;
    }

    private static async Task<string?> LastSecretVersionAsync(BrokerInstance broker)
    {
        var store = broker.Services.GetRequiredService<TokenBroker.Caching.TableTokenStore>();
        broker.Services.GetRequiredService<TokenBroker.Connections.ConnectionRegistry>().TryGet("demo", out var connection);
        var entry = (await store.ReadAsync(connection!.DefaultCacheKey, CancellationToken.None)).Entry;
        return entry?.Token?.SecretVersion;
    }
}
