using System.Net;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using TokenBroker.Caching;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests;

public sealed class TokenBrokerServiceTests : IDisposable
{
    private readonly CoreHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private ValueTask<TokenResult> Get(string connection = "payments", string? scope = null) =>
        _harness.Broker.GetTokenAsync(connection, scope, CancellationToken.None);

    [Fact]
    public async Task A_second_request_is_served_from_memory()
    {
        var first = await Get();
        var second = await Get();

        Assert.True(first.Succeeded);
        Assert.Same(first.Token, second.Token);
        Assert.Equal(1, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task The_token_is_stored_in_the_shared_tier_with_its_secret_version()
    {
        TableEntity? written = null;
        _harness.Table.Setup(t => t.UpsertEntityAsync(It.IsAny<TableEntity>(), TableUpdateMode.Replace, It.IsAny<CancellationToken>()))
            .Callback<TableEntity, TableUpdateMode, CancellationToken>((entity, _, _) => written = entity)
            .ReturnsAsync(Mock.Of<Response>());

        var result = await Get();

        Assert.NotNull(written);
        Assert.Equal("payments", written.PartitionKey);
        Assert.Equal(result.Token!.ExpiresOn, written.GetDateTimeOffset(TokenEntity.ExpiresOn));
        Assert.Equal(_harness.Time.GetUtcNow(), written.GetDateTimeOffset(TokenEntity.AcquiredOn));
        Assert.StartsWith("local-", written.GetString(TokenEntity.SecretVersion), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_another_instance_stored_is_served_without_calling_the_authorization_server()
    {
        var now = _harness.Time.GetUtcNow();
        var stored = new CachedToken("from-another-instance", "Bearer", "api.read", now.AddMinutes(-5), now.AddMinutes(55), "v1");
        _harness.Table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>("payments", It.IsAny<string>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .Returns(async (string pk, string rk, IEnumerable<string> _, CancellationToken _) =>
            {
                var sealedToken = await _harness.Services.GetRequiredService<TokenProtector>().SealAsync(Key(pk, rk), stored, CancellationToken.None);
                var entity = TokenEntity.ToEntity(Key(pk, rk), stored, sealedToken!, new TokenEntityContext("api.read", "payments-client", new Uri("https://x.test/t"), now.AddMinutes(40), now))!;
                return (NullableResponse<TableEntity>)Response.FromValue(entity, Mock.Of<Response>());
            });

        var result = await Get();

        Assert.Equal("from-another-instance", result.Token!.AccessToken);
        Assert.Equal(0, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task Expires_in_is_the_time_left_not_the_original_lifetime()
    {
        var token = (await Get()).Token!;
        _harness.Time.Advance(TimeSpan.FromMinutes(20));

        var again = await Get();

        Assert.Same(token, again.Token);
        Assert.Equal(40 * 60, again.Token!.SecondsLeft(_harness.Time.GetUtcNow()));
    }

    [Fact]
    public async Task A_token_in_its_refresh_window_is_served_at_once_and_refreshed_once_in_the_background()
    {
        var first = (await Get()).Token!;
        var release = new TaskCompletionSource();
        var original = _harness.Endpoint.Respond;
        _harness.Endpoint.Respond = async request =>
        {
            // Hold the background refresh until every caller in the window has been served.
            await release.Task;
            return await original(request);
        };

        // 1 h token: the window opens at 50 min (minus up to 5% jitter); serving stops at 55 min.
        _harness.Time.Advance(TimeSpan.FromMinutes(52));
        var inWindow = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Get().AsTask()));
        release.SetResult();
        await WaitUntil(() => _harness.Services.GetRequiredService<MemoryTokenCache>().TryGet(Connection().DefaultCacheKey, _harness.Time.GetUtcNow(), out var e) && e.Token != first);
        var after = await Get();

        Assert.All(inWindow, r => Assert.Same(first, r.Token));
        Assert.NotSame(first, after.Token);
        Assert.Equal(2, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_failing_background_refresh_keeps_serving_the_current_token_until_its_margin()
    {
        var first = (await Get()).Token!;
        _harness.Endpoint.Respond = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));

        _harness.Time.Advance(TimeSpan.FromMinutes(54));
        var inWindow = await Get();
        await WaitUntil(() => _harness.Endpoint.Count == 2);
        _harness.Time.Advance(TimeSpan.FromSeconds(59));
        var lastServable = await Get();
        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        var afterMargin = await Get();

        Assert.Same(first, inWindow.Token);
        Assert.Same(first, lastServable.Token);
        Assert.Equal(TokenErrorKind.UpstreamUnavailable, afterMargin.Error!.Kind);
    }

    [Fact]
    public async Task A_failed_background_refresh_is_started_again_by_a_later_hit_in_the_window()
    {
        var first = (await Get()).Token!;
        _harness.Endpoint.Respond = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        _harness.Time.Advance(TimeSpan.FromMinutes(53));
        await Get();

        // The failed refresh must have finished, not only sent its request: it records when to try again from the clock,
        // and a clock advanced before that would push the retry past every later hit (it did, on a loaded machine).
        await WaitUntil(() => _harness.Endpoint.Count == 2 && !_harness.Services.GetRequiredService<TokenBroker.Caching.MemoryTokenCache>().Entries.Single().Value.IsRefreshing);
        _harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(HttpStatusCode.OK, """{"access_token":"second","token_type":"Bearer","expires_in":3600}"""));

        // Past the retry pause (and the failure's own hold), still before the serving margin.
        _harness.Time.Advance(TimeSpan.FromSeconds(30));
        var hit = await Get();

        // Hits keep coming, as they would; one of them (once the failed refresh has finished) starts a new one.
        await WaitUntil(() =>
        {
            _ = Get().AsTask();
            return _harness.Endpoint.Count == 3;
        });

        Assert.Same(first, hit.Token);
        Assert.Equal(3, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_refresh_that_returns_a_token_with_the_same_expiry_backs_off_instead_of_looping()
    {
        var exp = _harness.Time.GetUtcNow().AddHours(1);
        var jwt = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            $$"""{"sub":"payments-client","exp":{{exp.ToUnixTimeSeconds()}}}""");
        _harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(HttpStatusCode.OK, $$"""{"access_token":"{{jwt}}","token_type":"Bearer","expires_in":7200}"""));
        var broker = (TokenBrokerService)_harness.Broker;
        await Get();

        _harness.Time.Advance(TimeSpan.FromMinutes(52));
        var refreshed = await broker.RefreshAsync(Connection(), Connection().DefaultScopes, TokenBroker.Coordination.FetchMode.Refresh, CancellationToken.None);
        var again = await broker.RefreshAsync(Connection(), Connection().DefaultScopes, TokenBroker.Coordination.FetchMode.Refresh, CancellationToken.None);

        Assert.Equal(TokenBroker.Coordination.FetchOutcome.SameToken, refreshed.Outcome);
        Assert.Equal(TokenBroker.Coordination.FetchOutcome.Served, again.Outcome);
        Assert.Equal(2, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task Cold_burst_of_100_requests_makes_one_token_request()
    {
        var release = new TaskCompletionSource();
        var original = _harness.Endpoint.Respond;
        _harness.Endpoint.Respond = async request =>
        {
            await release.Task;
            return await original(request);
        };

        var requests = Enumerable.Range(0, 100).Select(_ => Task.Run(() => Get().AsTask())).ToArray();
        await Task.Delay(100);
        release.SetResult();
        var results = await Task.WhenAll(requests);

        Assert.Equal(1, _harness.Endpoint.Count);
        Assert.All(results, r => Assert.Same(results[0].Token, r.Token));
    }

    [Fact]
    public async Task Concurrent_requests_for_different_scopes_each_get_the_token_for_their_own_scopes()
    {
        var scopes = new[] { "api.read", "api.write", "api.read api.write", "api.admin", "api.write api.read" };
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => Get(scope: scopes[i % scopes.Length]).AsTask())));

        for (var i = 0; i < results.Length; i++)
        {
            var normalized = TokenBroker.Connections.ScopeSet.Parse(scopes[i % scopes.Length]).Value;
            Assert.EndsWith("-" + normalized.Replace(' ', '+'), results[i].Token!.AccessToken.Replace(' ', '+'), StringComparison.Ordinal);
            Assert.Equal(normalized, results[i].Token!.Scope);
        }

        // "api.read api.write" and "api.write api.read" are one set, hence four distinct requests.
        Assert.Equal(4, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task Client_secret_basic_sends_form_encoded_credentials_in_the_authorization_header()
    {
        await Get(scope: "api.write api.read");

        var request = Assert.Single(_harness.Endpoint.Requests);
        Assert.Equal("Basic", request.AuthScheme);
        Assert.Equal($"payments-client:{CoreHarness.Secret}", Encoding.UTF8.GetString(Convert.FromBase64String(request.AuthParameter!)));
        Assert.Equal("client_credentials", request.Form["grant_type"]);
        Assert.Equal("api.read api.write", request.Form["scope"]);
        Assert.False(request.Form.ContainsKey("client_secret"));
    }

    [Fact]
    public async Task Client_secret_post_sends_the_credentials_in_the_body()
    {
        using var harness = new CoreHarness(new Dictionary<string, string?> { ["TokenBroker:Connections:payments:AuthMethod"] = "client_secret_post" });
        await harness.Broker.GetTokenAsync("payments", null, CancellationToken.None);

        var request = Assert.Single(harness.Endpoint.Requests);
        Assert.Null(request.AuthScheme);
        Assert.Equal("payments-client", request.Form["client_id"]);
        Assert.Equal(CoreHarness.Secret, request.Form["client_secret"]);
    }

    [Theory]
    [InlineData("nope", null, TokenErrorKind.ConnectionNotFound)]
    [InlineData("pay/ments", null, TokenErrorKind.InvalidConnectionName)]
    [InlineData("payments", "api.delete", TokenErrorKind.ScopeNotAllowed)]
    [InlineData("payments", "api.read \"x\"", TokenErrorKind.InvalidScope)]
    public async Task Requests_that_cannot_be_served_fail_without_calling_the_authorization_server(string connection, string? scope, TokenErrorKind kind)
    {
        var result = await Get(connection, scope);

        Assert.Equal(kind, result.Error!.Kind);
        Assert.Equal(0, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task An_oauth_error_is_reported_with_its_code_and_the_secret_never_reaches_the_log()
    {
        _harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(
            HttpStatusCode.Unauthorized,
            $$"""{"error":"invalid_client","error_description":"client secret '{{CoreHarness.Secret}}' is wrong"}"""));

        var result = await Get();

        Assert.Equal(TokenErrorKind.UpstreamRejected, result.Error!.Kind);
        Assert.Equal("invalid_client", result.Error.UpstreamError);
        Assert.DoesNotContain(CoreHarness.Secret, result.Error.Detail, StringComparison.Ordinal);
        var logged = _harness.Logs.Collector.GetSnapshot();
        Assert.Contains(logged, r => r.Message.Contains("invalid_client", StringComparison.Ordinal) && r.Message.Contains("***", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, r => r.Message.Contains(CoreHarness.Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_throttled_authorization_server_gives_unavailable_with_its_retry_after()
    {
        _harness.Endpoint.Respond = _ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return Task.FromResult(response);
        };

        var result = await Get();

        Assert.Equal(TokenErrorKind.UpstreamUnavailable, result.Error!.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), result.Error.RetryAfter);
    }

    [Fact]
    public async Task An_unreachable_authorization_server_gives_unavailable()
    {
        _harness.Endpoint.Respond = _ => throw new HttpRequestException("connection refused");

        var result = await Get();

        Assert.Equal(TokenErrorKind.UpstreamUnavailable, result.Error!.Kind);
        Assert.NotNull(result.Error.RetryAfter);
    }

    [Theory]
    [InlineData("""{"token_type":"Bearer","expires_in":3600}""")]
    [InlineData("""{"access_token":"x","token_type":"DPoP","expires_in":3600}""")]
    [InlineData("""{"access_token":"x","token_type":"Bearer","expires_in":0}""")]
    [InlineData("""{"access_token":"x","token_type":"Bearer","expires_in":-5}""")]
    [InlineData("""{"access_token":"x","token_type":"Bearer","expires_in":0.5}""")]
    [InlineData("""<html>not json</html>""")]
    public async Task Unusable_token_responses_are_refused_and_never_cached(string body)
    {
        _harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(HttpStatusCode.OK, body));

        var first = await Get();
        var second = await Get();

        Assert.Equal(TokenErrorKind.UpstreamInvalidResponse, first.Error!.Kind);
        Assert.Equal(TokenErrorKind.UpstreamInvalidResponse, second.Error!.Kind);
        Assert.Equal(2, _harness.Endpoint.Count);
        _harness.Table.Verify(t => t.UpsertEntityAsync(It.IsAny<TableEntity>(), It.IsAny<TableUpdateMode>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_token_without_any_lifetime_is_served_with_no_time_left_and_not_cached()
    {
        _harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(HttpStatusCode.OK, """{"access_token":"opaque","token_type":"Bearer"}"""));

        var first = await Get();
        await Get();

        Assert.Equal(0, first.Token!.SecondsLeft(_harness.Time.GetUtcNow()));
        Assert.Equal(2, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_string_expires_in_is_understood()
    {
        _harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(HttpStatusCode.OK, """{"access_token":"s","token_type":"bearer","expires_in":"1800"}"""));

        var result = await Get();

        Assert.Equal(1800, result.Token!.SecondsLeft(_harness.Time.GetUtcNow()));
        Assert.Equal("Bearer", result.Token.TokenType);
    }

    [Fact]
    public async Task A_missing_secret_gives_secret_unavailable()
    {
        using var harness = new CoreHarness(new Dictionary<string, string?> { ["TokenBroker:Secrets:payments-secret"] = null });

        var result = await harness.Broker.GetTokenAsync("payments", null, CancellationToken.None);

        Assert.Equal(TokenErrorKind.SecretUnavailable, result.Error!.Kind);
        Assert.Equal(0, harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_fail_the_others_waiting_on_the_same_token()
    {
        var release = new TaskCompletionSource();
        var original = _harness.Endpoint.Respond;
        _harness.Endpoint.Respond = async request =>
        {
            await release.Task;
            return await original(request);
        };

        using var impatient = new CancellationTokenSource();
        var cancelled = _harness.Broker.GetTokenAsync("payments", null, impatient.Token).AsTask();
        var patient = Get().AsTask();
        await impatient.CancelAsync();
        release.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.True((await patient).Succeeded);
        Assert.Equal(1, _harness.Endpoint.Count);
    }

    // Background work runs on the real thread pool, which a loaded CI machine can starve for seconds: wait up to 30 s,
    // returning as soon as the condition holds.
    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 1200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }

    private TokenBroker.Connections.Connection Connection()
    {
        _harness.Services.GetRequiredService<TokenBroker.Connections.ConnectionRegistry>().TryGet("payments", out var connection);
        return connection!;
    }

    private TokenCacheKey Key(string partition, string row)
    {
        var registry = (TokenBroker.Connections.ConnectionRegistry)_harness.Services.GetService(typeof(TokenBroker.Connections.ConnectionRegistry))!;
        registry.TryGet(partition, out var connection);
        var key = connection!.DefaultCacheKey;
        Assert.Equal(row, key.RowKey);
        return key;
    }
}
