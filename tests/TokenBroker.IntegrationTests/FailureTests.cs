using System.Net;

namespace TokenBroker.IntegrationTests;

/// <summary>What callers see when the authorization server or the secret is wrong: the documented status and problem, never a 500.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class FailureTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task A_wrong_secret_is_502_with_the_upstream_error_and_no_secret()
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Secrets:demo-secret"] = "wrong-secret-7d1e0b5c";
        fixture.Sink.AddSensitive("wrong-secret-7d1e0b5c");
        await using var broker = await fixture.StartBrokerAsync(settings);

        var call = await broker.RequestTokenAsync("demo");

        Assert.Equal(502, call.Status);
        Assert.Equal("upstream_rejected", call.Code);
        Assert.Equal("invalid_client", call.Body.GetProperty("upstream_error").GetString());
        Assert.DoesNotContain("wrong-secret", call.Body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_authorization_server_that_is_down_gives_503_with_retry_after()
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Connections:demo:TokenEndpoint"] = $"http://127.0.0.1:{FreePort.Next()}/connect/token";
        await using var broker = await fixture.StartBrokerAsync(settings);

        var call = await broker.RequestTokenAsync("demo");

        Assert.Equal(503, call.Status);
        Assert.Equal("upstream_unavailable", call.Code);
        Assert.NotNull(call.RetryAfter);
    }

    [Fact]
    public async Task A_missing_secret_gives_503_secret_unavailable()
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Secrets:demo-secret"] = null;
        await using var broker = await fixture.StartBrokerAsync(settings);

        var call = await broker.RequestTokenAsync("demo");

        Assert.Equal(503, call.Status);
        Assert.Equal("secret_unavailable", call.Code);
        Assert.NotNull(call.RetryAfter);
    }

    [Fact]
    public async Task With_table_storage_unreachable_tokens_are_still_served()
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:TokenCache:ConnectionString"] =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:{FreePort.Next()}/devstoreaccount1;";
        await using var broker = await fixture.StartBrokerAsync(settings);

        var first = await broker.RequestTokenAsync("demo");
        var second = await broker.RequestTokenAsync("demo");

        Assert.Equal(200, first.Status);
        Assert.Equal(first.AccessToken, second.AccessToken);
    }

    [Fact]
    public async Task Invalid_configuration_stops_start_up_with_a_message_naming_the_key()
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Connections:demo:TokenEndpoint"] = "http://login.example.com/token";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.StartBrokerAsync(settings));

        Assert.Contains("TokenBroker:Connections:demo:TokenEndpoint must be an absolute https URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_function_key_configured_the_token_route_needs_it_and_health_does_not()
    {
        const string key = "integration-function-key-0123456789abcdef";
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Host:ApiKey"] = key;
        fixture.Sink.AddSensitive(key);
        await using var broker = await fixture.StartBrokerAsync(settings);

        var without = await broker.RequestTokenAsync("demo");
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/token/demo") { Headers = { { "x-functions-key", "wrong" } } };
        using var wrongResponse = await broker.Client.SendAsync(wrong);
        using var right = new HttpRequestMessage(HttpMethod.Post, "/api/token/demo") { Headers = { { "x-functions-key", key } } };
        using var rightResponse = await broker.Client.SendAsync(right);
        fixture.Sink.AddSensitive((await TokenCall.ReadAsync(rightResponse, fixture.Sink)).AccessToken);
        using var health = await broker.Client.GetAsync("/api/health");

        Assert.Equal(401, without.Status);
        Assert.Equal("unauthorized", without.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rightResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
