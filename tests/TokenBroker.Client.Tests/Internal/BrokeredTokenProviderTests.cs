using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Client.Tests.Support;

namespace TokenBroker.Client.Tests.Internal;

/// <summary>The memory cache in front of the broker: what is served from it, for how long, and under which key.</summary>
public sealed class BrokeredTokenProviderTests : IDisposable
{
    private readonly ClientHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_second_call_is_served_from_the_cache_without_calling_the_broker()
    {
        var first = await _harness.Tokens.GetTokenAsync("payments");
        var second = await _harness.Tokens.GetTokenAsync("payments");

        Assert.Same(first, second);
        Assert.Equal(1, _harness.Broker.Count);
    }

    [Fact]
    public async Task A_token_is_fetched_anew_once_the_safety_margin_before_its_expiry_is_reached()
    {
        var first = await _harness.Tokens.GetTokenAsync("payments");

        // One hour token, 5 minute margin: served until 55 minutes in.
        _harness.Time.Advance(TimeSpan.FromMinutes(55) - TimeSpan.FromTicks(1));
        var lastCached = await _harness.Tokens.GetTokenAsync("payments");
        _harness.Time.Advance(TimeSpan.FromTicks(1));
        var fetched = await _harness.Tokens.GetTokenAsync("payments");

        Assert.Same(first, lastCached);
        Assert.NotSame(first, fetched);
        Assert.Equal(2, _harness.Broker.Count);
    }

    [Fact]
    public async Task A_short_lived_token_keeps_a_tenth_of_its_lifetime_as_margin()
    {
        _harness.Broker.Respond = (_, _) => Task.FromResult(BrokerStub.Token($"short-{Guid.NewGuid():N}", expiresIn: 600));
        var first = await _harness.Tokens.GetTokenAsync("payments");

        _harness.Time.Advance(TimeSpan.FromSeconds(539));
        var lastCached = await _harness.Tokens.GetTokenAsync("payments");
        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        var fetched = await _harness.Tokens.GetTokenAsync("payments");

        Assert.Same(first, lastCached);
        Assert.NotSame(first, fetched);
    }

    [Fact]
    public async Task The_configured_safety_margin_is_used_when_smaller()
    {
        using var harness = new ClientHarness(options => options.SafetyMargin = TimeSpan.FromMinutes(1));
        var first = await harness.Tokens.GetTokenAsync("payments");

        harness.Time.Advance(TimeSpan.FromMinutes(58));
        var stillCached = await harness.Tokens.GetTokenAsync("payments");
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var fetched = await harness.Tokens.GetTokenAsync("payments");

        Assert.Same(first, stillCached);
        Assert.NotSame(first, fetched);
    }

    [Fact]
    public async Task A_token_with_no_time_left_is_handed_out_but_not_cached()
    {
        _harness.Broker.Respond = (_, _) => Task.FromResult(BrokerStub.Token($"expired-{Guid.NewGuid():N}", expiresIn: 0));

        var first = await _harness.Tokens.GetTokenAsync("payments");
        var second = await _harness.Tokens.GetTokenAsync("payments");

        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(2, _harness.Broker.Count);
        Assert.Contains(_harness.Logs.Collector.GetSnapshot(), record => record.Id.Id == 10002);
    }

    [Fact]
    public async Task The_expiry_counts_expires_in_from_when_the_request_was_sent()
    {
        var sent = _harness.Time.GetUtcNow();
        _harness.Broker.Respond = (_, _) =>
        {
            // The broker takes ten seconds to answer.
            _harness.Time.Advance(TimeSpan.FromSeconds(10));
            return Task.FromResult(BrokerStub.Token("slow", expiresIn: 3600, scope: "api.read"));
        };

        var token = await _harness.Tokens.GetTokenAsync("payments");

        Assert.Equal(sent.AddSeconds(3600), token.ExpiresOn);
        Assert.Equal("Bearer", token.TokenType);
        Assert.Equal("api.read", token.Scope);
    }

    [Fact]
    public async Task Without_expires_in_the_expiry_is_expires_on()
    {
        var expiresOn = _harness.Time.GetUtcNow().AddMinutes(30).ToUnixTimeSeconds();
        _harness.Broker.Respond = (_, _) => Task.FromResult(BrokerStub.Json(HttpStatusCode.OK, $$"""{"access_token":"abs","token_type":"Bearer","expires_on":{{expiresOn}}}"""));

        var token = await _harness.Tokens.GetTokenAsync("payments");

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(expiresOn), token.ExpiresOn);
    }

    [Fact]
    public async Task Equivalent_scope_strings_and_connection_spellings_share_one_token()
    {
        var first = await _harness.Tokens.GetTokenAsync("payments", "b a");
        var reordered = await _harness.Tokens.GetTokenAsync("Payments", "a  b a");
        var other = await _harness.Tokens.GetTokenAsync("payments", "a");
        var defaults = await _harness.Tokens.GetTokenAsync("payments");

        Assert.Same(first, reordered);
        Assert.NotSame(first, other);
        Assert.NotSame(first, defaults);
        Assert.Equal(3, _harness.Broker.Count);
        Assert.Equal(["""{"scope":"a b"}""", """{"scope":"a"}""", null], _harness.Broker.Requests.Select(r => r.Body));
    }

    [Fact]
    public async Task A_refresh_skips_the_cache_and_its_token_is_served_from_then_on()
    {
        var first = await _harness.Tokens.GetTokenAsync("payments");

        var refreshed = await _harness.Tokens.RefreshTokenAsync("payments");
        var next = await _harness.Tokens.GetTokenAsync("payments");

        Assert.NotSame(first, refreshed);
        Assert.Same(refreshed, next);
        Assert.Equal(2, _harness.Broker.Count);
    }

    [Fact]
    public async Task The_request_goes_to_the_token_route_under_the_brokers_path_with_the_connection_escaped()
    {
        using var harness = new ClientHarness(options => options.BrokerUri = new Uri("https://gateway.example.test/broker"));

        await harness.Tokens.GetTokenAsync("payments eu");

        var sent = Assert.Single(harness.Broker.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("https://gateway.example.test/broker/api/token/payments%20eu", sent.Uri.AbsoluteUri);
        Assert.Null(sent.Body);
        Assert.Null(sent.Authorization);
        Assert.Null(sent.FunctionKey);
    }

    [Fact]
    public async Task A_scope_is_sent_as_a_json_body()
    {
        await _harness.Tokens.GetTokenAsync("payments", "api.write");

        var sent = Assert.Single(_harness.Broker.Requests);
        Assert.Equal("application/json", sent.ContentType);
        Assert.Equal("""{"scope":"api.write"}""", sent.Body);
    }

    [Fact]
    public async Task The_caller_signs_in_with_its_credential_for_the_broker_scope_and_sends_the_function_key()
    {
        var credential = new CallerCredential("caller-token-7c1d");
        using var harness = new ClientHarness(
            options =>
            {
                options.BrokerScope = "api://tokenbroker/.default";
                options.FunctionKey = "function-key-0b9e";
            },
            services => services.AddSingleton<Azure.Core.TokenCredential>(credential));

        await harness.Tokens.GetTokenAsync("payments");

        var sent = Assert.Single(harness.Broker.Requests);
        Assert.Equal("Bearer caller-token-7c1d", sent.Authorization);
        Assert.Equal("function-key-0b9e", sent.FunctionKey);
        Assert.Equal(["api://tokenbroker/.default"], credential.Scopes);
    }

    [Fact]
    public async Task No_token_reaches_a_log_line_or_the_tokens_description()
    {
        _harness.Broker.Respond = (_, _) => Task.FromResult(BrokerStub.Token("secret-access-token-3f9a", expiresIn: 0));

        var token = await _harness.Tokens.GetTokenAsync("payments", "api.read");
        await _harness.Tokens.RefreshTokenAsync("payments", "api.read");

        Assert.DoesNotContain("secret-access-token-3f9a", token.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(_harness.Logs.Collector.GetSnapshot());
        Assert.All(_harness.Logs.Collector.GetSnapshot(), record => Assert.DoesNotContain("secret-access-token-3f9a", record.Message, StringComparison.Ordinal));
    }

    /// <summary>Stands in for the managed identity: a fixed caller token.</summary>
    private sealed class CallerCredential(string token) : Azure.Core.TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override Azure.Core.AccessToken GetToken(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new Azure.Core.AccessToken(token, DateTimeOffset.MaxValue);
        }

        public override ValueTask<Azure.Core.AccessToken> GetTokenAsync(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
