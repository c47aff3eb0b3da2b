using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace TokenBroker.IntegrationTests.Operations;

/// <summary>The operations endpoints through HTTP, on two hosts sharing one table.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class OperationsTests(IntegrationFixture fixture)
{
    private const string AdminKey = "integration-admin-key-5d1c0f9e8b7a6";

    private Dictionary<string, string?> Settings()
    {
        fixture.Sink.AddSensitive(AdminKey);
        var settings = fixture.CallerIdentitySettings();
        settings["TokenBroker:Secrets:broker-admin-key"] = AdminKey;
        settings["TokenBroker:Operations:EvictionPollInterval"] = "00:00:00.200";
        return settings;
    }

    [Fact]
    public async Task An_eviction_on_one_host_takes_effect_on_every_host_within_seconds()
    {
        var settings = Settings();
        await using var first = await fixture.StartBrokerAsync(settings);
        await using var second = await fixture.StartBrokerAsync(settings);
        var caller = await CallerTokenAsync();
        var before = (await TokenAsync(second, caller)).AccessToken;
        Assert.Equal(before, (await TokenAsync(first, caller)).AccessToken);
        await Task.Delay(500); // let both watchers learn the current stamps

        using var evicted = await SendAsync(first, HttpMethod.Post, "/api/ops/connections/demo/evict", adminKey: AdminKey);
        Assert.Equal(HttpStatusCode.OK, evicted.StatusCode);

        string? after = before;
        for (var i = 0; i < 50 && after == before; i++)
        {
            await Task.Delay(100);
            after = (await TokenAsync(second, caller)).AccessToken;
        }

        Assert.NotEqual(before, after);
    }

    [Fact]
    public async Task The_status_listing_shows_expiry_and_secret_version_but_never_a_token()
    {
        await using var broker = await fixture.StartBrokerAsync(Settings());
        var token = (await TokenAsync(broker, await CallerTokenAsync())).AccessToken!;

        using var response = await SendAsync(broker, HttpMethod.Get, "/api/ops/connections", adminKey: AdminKey);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(token[..24], body, StringComparison.Ordinal);
        var demo = JsonDocument.Parse(body).RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "demo");
        var entry = demo.GetProperty("entries").EnumerateArray().Single();
        Assert.Equal("api.read", entry.GetProperty("scope").GetString());
        Assert.True(entry.GetProperty("expires_on").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.StartsWith("local-", entry.GetProperty("secret_version").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forced_refresh_fetches_a_new_token_now()
    {
        await using var broker = await fixture.StartBrokerAsync(Settings());
        var caller = await CallerTokenAsync();
        await TokenAsync(broker, caller);
        var before = fixture.Authorization.Requests.Count;

        using var response = await SendAsync(broker, HttpMethod.Post, "/api/ops/connections/demo/refresh", adminKey: AdminKey);
        using var missing = await SendAsync(broker, HttpMethod.Post, "/api/ops/connections/nope/refresh", adminKey: AdminKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0].GetProperty("succeeded").GetBoolean());
        Assert.Equal(before + 1, fixture.Authorization.Requests.Count);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Only_the_admin_role_or_the_admin_key_admits()
    {
        await using var broker = await fixture.StartBrokerAsync(Settings());
        var caller = await CallerTokenAsync();

        using var anonymous = await SendAsync(broker, HttpMethod.Get, "/api/ops/connections");
        using var wrongKey = await SendAsync(broker, HttpMethod.Get, "/api/ops/connections", adminKey: "not-the-key");
        using var callerWithoutRole = await SendAsync(broker, HttpMethod.Post, "/api/ops/connections/demo/evict", bearer: caller);
        using var withKey = await SendAsync(broker, HttpMethod.Get, "/api/ops/connections", adminKey: AdminKey);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, callerWithoutRole.StatusCode);
        Assert.Equal("application/problem+json", callerWithoutRole.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
    }

    private async Task<string> CallerTokenAsync()
    {
        var token = await fixture.Authorization.CallerTokenAsync();
        fixture.Sink.AddSensitive(token);
        return token;
    }

    private async Task<TokenCall> TokenAsync(BrokerInstance broker, string caller)
    {
        using var response = await SendAsync(broker, HttpMethod.Post, "/api/token/demo", bearer: caller);
        return await TokenCall.ReadAsync(response, fixture.Sink);
    }

    private static async Task<HttpResponseMessage> SendAsync(BrokerInstance broker, HttpMethod method, string path, string? adminKey = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (adminKey is not null)
        {
            request.Headers.Add("x-tokenbroker-admin-key", adminKey);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await broker.Client.SendAsync(request);
    }
}
