using Microsoft.Extensions.Logging;
using TokenBroker.Host;
using TokenBroker.IntegrationTests.Infrastructure.Faults;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;

namespace TokenBroker.IntegrationTests.Caching;

/// <summary>
/// A new instance reads the token cache key from Key Vault beside the rest of its start-up, not before it: the web server
/// listens while the read is under way (issue 17, item 2: nothing blocking on the start-up path).
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class SharedTierStartupTests(IntegrationFixture fixture)
{
    private const string ApiKey = "integration-host-api-key-0123456789abcdef";

    // Longer than an in-process host takes to listen on a busy machine, shorter than the vault client's network timeout (5 s),
    // so the one read is answered rather than retried.
    private static readonly TimeSpan VaultDelay = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task A_slow_key_vault_read_of_the_cache_key_does_not_keep_the_host_from_listening_and_is_made_once()
    {
        await using var vault = await KeyVaultEndpoint.StartAsync();
        await vault.SetFaultAsync(Fault.Slow(VaultDelay));
        fixture.Sink.AddSensitive(ApiKey);
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Host:ApiKey"] = ApiKey;
        settings["TokenBroker:Callers:Mode"] = "FunctionKeyOnly";
        var port = FreePort.Next();
        var builder = BrokerHost.CreateBuilder(["--urls", $"http://127.0.0.1:{port}", "--environment", "Production"]);
        builder.Configuration.AddInMemoryCollection(vault.Adopt(settings));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(fixture.Sink);
        vault.AddTo(builder.Services);
        await using var app = BrokerHost.Build(builder);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var starting = app.StartAsync();
        var health = await FirstAnswerAsync(http, starting);
        var answeredBeforeTheKeyWasJudged = !starting.IsCompleted;
        await starting;

        Assert.Equal(200, health);
        Assert.True(answeredBeforeTheKeyWasJudged, "The host answered only once the cache key read was over: start-up waited for Key Vault.");
        // One read answered (the SDK's first, unauthenticated attempt draws the 401 challenge that tells it the tenant).
        Assert.Single(vault.RequestLog, line => line.StartsWith("GET /secrets/token-cache-key ", StringComparison.Ordinal) && line.EndsWith(" 200", StringComparison.Ordinal));
        await app.StopAsync();
        foreach (var token in vault.IssuedTokens)
        {
            fixture.Sink.AddSensitive(token);
        }
    }

    // The health route until it answers: connection refused means the server is not listening yet.
    private static async Task<int> FirstAnswerAsync(HttpClient http, Task starting)
    {
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/api/health");
                return (int)response.StatusCode;
            }
            catch (HttpRequestException) when (!starting.IsFaulted)
            {
                await Task.Delay(20);
            }
        }
    }
}
