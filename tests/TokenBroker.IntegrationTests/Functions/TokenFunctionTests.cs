using System.Net.Http.Headers;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;

namespace TokenBroker.IntegrationTests.Functions;

/// <summary>
/// <c>POST /api/token/{connection}</c> on both hosts, configured alike as in Azure (Key Vault, caller tokens, an access
/// rule, function keys): the real Functions worker behind the stand-in Functions host, and the standalone host. Every
/// case runs on both and expects the same answer.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class TokenFunctionTests(IntegrationFixture fixture)
{
    public static TheoryData<string> Hosts => ["worker", "standalone"];

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task A_caller_with_a_valid_token_gets_a_real_token_with_no_store(string host)
    {
        var call = await CallAsync(host, "demo", await CallerTokenAsync());

        Assert.Equal(200, call.Status);
        Assert.Equal("no-store", call.CacheControl);
        Assert.Equal("application/json", call.ContentType);
        var jwt = new JsonWebToken(call.AccessToken);
        Assert.Equal(AuthorizationServer.ClientId, jwt.Subject);
        Assert.Equal("Bearer", call.Body.GetProperty("token_type").GetString());
        Assert.Equal("api.read", call.Body.GetProperty("scope").GetString());
        Assert.InRange(call.Body.GetProperty("expires_in").GetInt64(), 1, 3600);
        Assert.Contains(fixture.Vault.RequestLog, line => line.Contains("/secrets/demo-secret", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task No_caller_token_is_401_problem_json_with_a_bearer_challenge(string host)
    {
        using var response = await SendAsync(host, "demo", token: null);
        var call = await TokenCall.ReadAsync(response, fixture.Sink);

        Assert.Equal(401, call.Status);
        Assert.Equal("application/problem+json", call.ContentType);
        Assert.Equal("unauthorized", call.Code);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task A_connection_the_rule_does_not_grant_is_403_caller_not_allowed(string host)
    {
        var call = await CallAsync(host, "other", await CallerTokenAsync());

        Assert.Equal(403, call.Status);
        Assert.Equal("application/problem+json", call.ContentType);
        Assert.Equal("caller_not_allowed", call.Code);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task A_scope_the_connection_does_not_allow_is_403_scope_not_allowed(string host)
    {
        var call = await CallAsync(host, "demo", await CallerTokenAsync(), """{"scope":"api.admin"}""");

        Assert.Equal(403, call.Status);
        Assert.Equal("scope_not_allowed", call.Code);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task An_unknown_connection_is_refused_as_one_the_caller_was_not_granted(string host)
    {
        // The caller's rule grants only demo: whether "nope" exists must not show.
        var call = await CallAsync(host, "nope", await CallerTokenAsync());

        Assert.Equal(403, call.Status);
        Assert.Equal("application/problem+json", call.ContentType);
        Assert.Equal("caller_not_allowed", call.Code);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task A_malformed_body_is_400_malformed_body_without_echoing_it(string host)
    {
        var call = await CallAsync(host, "demo", await CallerTokenAsync(), """{"scope":""");

        Assert.Equal(400, call.Status);
        Assert.Equal("malformed_body", call.Code);
        Assert.DoesNotContain("\"scope\":", call.Body.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Without_the_function_key_the_token_route_is_401_and_health_is_open(string host)
    {
        var client = await ClientAsync(host);
        using var noKey = await client.PostAsync("/api/token/demo", null);
        using var health = await client.GetAsync("/api/health");

        Assert.Equal(401, (int)noKey.StatusCode);
        Assert.Equal(200, (int)health.StatusCode);
        Assert.Contains("healthy", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpClient> ClientAsync(string host) =>
        host == "worker" ? (await fixture.WorkerAsync()).Client : (await fixture.StandaloneAsync()).Client;

    private async Task<TokenCall> CallAsync(string host, string connection, string token, string? body = null)
    {
        using var response = await SendAsync(host, connection, token, body);
        return await TokenCall.ReadAsync(response, fixture.Sink);
    }

    private async Task<HttpResponseMessage> SendAsync(string host, string connection, string? token, string? body = null)
    {
        var client = await ClientAsync(host);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/token/{connection}");
        request.Headers.Add("x-functions-key", fixture.FunctionKey);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }

    private async Task<string> CallerTokenAsync()
    {
        var token = await fixture.Authorization.CallerTokenAsync();
        fixture.Sink.AddSensitive(token);
        return token;
    }
}
