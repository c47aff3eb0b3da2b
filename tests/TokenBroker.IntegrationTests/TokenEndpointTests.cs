using System.Net;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;

namespace TokenBroker.IntegrationTests;

/// <summary>The broker end to end: Kestrel on loopback, the real OpenIddict server, Azurite.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class TokenEndpointTests(IntegrationFixture fixture) : IAsyncLifetime
{
    private BrokerInstance _broker = null!;
    private int _requestsBefore;

    public async Task InitializeAsync()
    {
        _broker = await fixture.StartBrokerAsync();
        _requestsBefore = fixture.Authorization.Requests.Count;
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private int TokenRequests => fixture.Authorization.Requests.Count - _requestsBefore;

    [Fact]
    public async Task A_real_token_comes_back_in_the_RFC_6749_shape()
    {
        var call = await _broker.RequestTokenAsync("demo");

        Assert.Equal(200, call.Status);
        Assert.Equal("no-store", call.CacheControl);
        var jwt = new JsonWebToken(call.AccessToken);
        Assert.Equal(AuthorizationServer.ClientId, jwt.Subject);
        Assert.Equal("Bearer", call.Body.GetProperty("token_type").GetString());
        Assert.Equal("api.read", call.Body.GetProperty("scope").GetString());
        var expiresIn = call.Body.GetProperty("expires_in").GetInt64();
        Assert.InRange(expiresIn, 3500, 3600);
        Assert.InRange(call.Body.GetProperty("expires_on").GetInt64() - jwt.ValidTo.Subtract(DateTime.UnixEpoch).TotalSeconds, -2, 2);
    }

    [Fact]
    public async Task A_second_request_is_served_from_the_cache()
    {
        var first = await _broker.RequestTokenAsync("demo");
        var second = await _broker.RequestTokenAsync("demo");

        Assert.Equal(first.AccessToken, second.AccessToken);
        Assert.Equal(1, TokenRequests);
    }

    [Fact]
    public async Task Cold_burst_of_100_concurrent_requests_makes_one_token_request()
    {
        var calls = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => _broker.RequestTokenAsync("demo")));

        Assert.All(calls, c => Assert.Equal(200, c.Status));
        Assert.Single(calls.Select(c => c.AccessToken).Distinct());
        Assert.Equal(1, TokenRequests);
    }

    [Fact]
    public async Task A_caller_may_ask_for_a_subset_of_the_allowed_scopes()
    {
        var write = await _broker.RequestTokenAsync("demo", new { scope = "api.write" });
        var both = await _broker.RequestTokenAsync("demo", new { scope = "api.write api.read" });
        var defaults = await _broker.RequestTokenAsync("demo");

        Assert.Equal("api.write", write.Body.GetProperty("scope").GetString());
        Assert.Equal("api.read api.write", new JsonWebToken(both.AccessToken).GetPayloadValue<string>("scope"));
        Assert.Equal(3, new[] { write.AccessToken, both.AccessToken, defaults.AccessToken }.Distinct().Count());
        Assert.Equal(3, TokenRequests);
    }

    [Fact]
    public async Task Client_secret_post_connections_authenticate_in_the_body()
    {
        var call = await _broker.RequestTokenAsync("other");

        Assert.Equal(200, call.Status);
        Assert.Equal(TokenBroker.DevAuthorizationServer.ClientAuthenticationStyle.Post, fixture.Authorization.Requests.Records[^1].AuthenticationStyle);
    }

    [Fact]
    public async Task An_unknown_connection_is_404_problem_json()
    {
        var call = await _broker.RequestTokenAsync("nope");

        Assert.Equal(404, call.Status);
        Assert.Equal("application/problem+json", call.ContentType);
        Assert.Equal("connection_not_found", call.Code);
    }

    [Fact]
    public async Task A_scope_the_connection_does_not_allow_is_403()
    {
        var call = await _broker.RequestTokenAsync("demo", new { scope = "api.admin" });

        Assert.Equal(403, call.Status);
        Assert.Equal("scope_not_allowed", call.Code);
        Assert.Equal(0, TokenRequests);
    }

    [Theory]
    [InlineData("{\"scope\":", "application/json", 400, "malformed_body")]
    [InlineData("{\"scope\":42}", "application/json", 400, "malformed_body")]
    [InlineData("scope=api.read", "application/x-www-form-urlencoded", 415, "unsupported_media_type")]
    public async Task A_bad_body_is_refused_with_its_code(string body, string contentType, int status, string code)
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await _broker.Client.PostAsync("/api/token/demo", content);
        var call = await TokenCall.ReadAsync(response, fixture.Sink);

        Assert.Equal(status, call.Status);
        Assert.Equal(code, call.Code);
    }

    [Fact]
    public async Task A_body_over_4_KiB_is_413()
    {
        using var content = new StringContent($$"""{"scope":"{{new string('a', 6000)}}"}""", Encoding.UTF8, "application/json");
        using var response = await _broker.Client.PostAsync("/api/token/demo", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_are_problem_json_too()
    {
        using var missing = await _broker.Client.GetAsync("/api/nothing-here");
        using var wrongMethod = await _broker.Client.GetAsync("/api/token/demo");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_health_route_answers_without_a_key()
    {
        using var response = await _broker.Client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("healthy", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
