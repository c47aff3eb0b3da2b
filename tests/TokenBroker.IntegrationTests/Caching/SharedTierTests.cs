using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenBroker.IntegrationTests.Infrastructure.Faults;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;

namespace TokenBroker.IntegrationTests.Caching;

/// <summary>
/// Misconfigurations that would silently turn the shared tier off (and multiply token requests by the instance count)
/// stop start-up outside Development, and are loud and visible in the ops listing in Development.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class SharedTierTests(IntegrationFixture fixture)
{
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public async Task Outside_development_a_missing_cache_key_stops_start_up_naming_the_key()
    {
        await using var vault = await KeyVaultEndpoint.StartAsync();
        var settings = ProductionSettings(vault);
        settings.Remove("TokenBroker:Secrets:token-cache-key");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => BrokerInstance.StartAsync(fixture, vault.Adopt(settings), vault.AddTo, "Production"));

        Assert.Contains("TokenBroker:TokenCache:EncryptionKeySecretName", error.Message, StringComparison.Ordinal);
        Assert.Contains("token-cache-key", error.Message, StringComparison.Ordinal);
        FeedSink(vault);
    }

    [Theory]
    // Placeholders distinctive enough never to occur in another test's log lines (the sink checks every line of the run).
    [InlineData("changeme-tb-placeholder")]
    [InlineData("tb-weak-key-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("dGItc2hvcnQ=")]
    public async Task Outside_development_a_weak_cache_key_stops_start_up_naming_the_key(string weak)
    {
        fixture.Sink.AddSensitive(weak);
        await using var vault = await KeyVaultEndpoint.StartAsync();
        var settings = ProductionSettings(vault);
        settings["TokenBroker:Secrets:token-cache-key"] = weak;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => BrokerInstance.StartAsync(fixture, vault.Adopt(settings), vault.AddTo, "Production"));

        Assert.Contains("TokenBroker:TokenCache:EncryptionKeySecretName", error.Message, StringComparison.Ordinal);
        Assert.Contains("too weak", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(weak, error.Message, StringComparison.Ordinal);
        FeedSink(vault);
    }

    [Fact]
    public async Task Outside_development_a_strong_cache_key_in_the_vault_starts_and_serves()
    {
        await using var vault = await KeyVaultEndpoint.StartAsync();
        await using var broker = await BrokerInstance.StartAsync(fixture, vault.Adopt(ProductionSettings(vault)), vault.AddTo, "Production");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/token/demo");
        request.Headers.Add("x-functions-key", ApiKey);

        using var response = await broker.Client.SendAsync(request);
        var call = await TokenCall.ReadAsync(response, fixture.Sink);

        Assert.Equal(200, call.Status);
        FeedSink(vault);
    }

    [Theory]
    [InlineData("no_cache_key", "DEVELOPMENT ONLY")] // in Development, a missing cache key turns the shared tier off
    [InlineData("forbidden", "Table Storage refused the broker identity")] // the table answers 403
    public async Task A_shared_tier_that_is_off_is_logged_loudly_and_shown_in_the_ops_listing_and_tokens_are_still_served(string expectedStatus, string expectedError)
    {
        await using var storage = await FaultServer.StartAsync();
        var settings = fixture.BrokerSettings();
        if (expectedStatus == "no_cache_key")
        {
            settings["TokenBroker:Secrets:token-cache-key"] = null;
        }
        else
        {
            await storage.SetFaultAsync(Fault.Status(403));
            settings["TokenBroker:TokenCache:ConnectionString"] =
                $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};TableEndpoint={storage.Uri}devstoreaccount1;";
        }

        await using var broker = await fixture.StartBrokerAsync(settings);

        var call = await broker.RequestTokenAsync("demo");
        var sharedTier = await SharedTierAsync(broker);

        Assert.Equal(200, call.Status);
        Assert.Equal(expectedStatus, sharedTier);
        Assert.Contains(fixture.Sink.Emitted, line => line.StartsWith("Error ", StringComparison.Ordinal) && line.Contains(expectedError, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_healthy_shared_tier_is_shown_as_ok()
    {
        await using var broker = await fixture.StartBrokerAsync();

        Assert.Equal("ok", await SharedTierAsync(broker));
    }

    [Fact]
    public async Task A_connection_string_with_an_account_key_that_is_not_base64_fails_start_up_naming_the_key()
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:TokenCache:ConnectionString"] =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=not*base64!;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => fixture.StartBrokerAsync(settings));

        Assert.Contains("TokenBroker:TokenCache:ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not*base64!", error.Message, StringComparison.Ordinal);
    }

    private const string ApiKey = "integration-host-api-key-0123456789abcdef";

    private Dictionary<string, string?> ProductionSettings(KeyVaultEndpoint vault)
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Host:ApiKey"] = ApiKey;
        settings["TokenBroker:Callers:Mode"] = "FunctionKeyOnly";
        fixture.Sink.AddSensitive(ApiKey);
        _ = vault;
        return settings;
    }

    private void FeedSink(KeyVaultEndpoint vault)
    {
        foreach (var token in vault.IssuedTokens)
        {
            fixture.Sink.AddSensitive(token);
        }
    }

    private static async Task<string?> SharedTierAsync(BrokerInstance broker)
    {
        using var response = await broker.Client.GetAsync("/api/ops/connections");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.EnumerateArray().First().GetProperty("shared_tier").GetString();
    }
}
