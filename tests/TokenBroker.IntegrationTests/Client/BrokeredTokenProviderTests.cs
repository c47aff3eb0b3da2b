using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TokenBroker.Client;

namespace TokenBroker.IntegrationTests.Client;

/// <summary><see cref="IBrokeredTokenProvider"/> against a real broker host: signing in, caching, errors, cancellation.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class BrokeredTokenProviderTests(IntegrationFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly BrokerProbe _probe = new();
    private BrokerInstance _broker = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _broker = await fixture.StartBrokerAsync(services: _probe.AddTo);
        _services = ClientServices.Build(fixture, _broker.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        _probe.Release();
        await _services.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private IBrokeredTokenProvider Tokens => _services.GetRequiredService<IBrokeredTokenProvider>();

    [Fact]
    public async Task The_broker_receives_the_caller_token_from_the_TokenCredential_and_the_function_key()
    {
        const string callerToken = "caller-token-for-the-broker-3f9d2c71";
        const string functionKey = "client-test-function-key-8c41e07a9b2d";
        fixture.Sink.AddSensitive(callerToken);
        fixture.Sink.AddSensitive(functionKey);
        var probe = new BrokerProbe();
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Host:ApiKey"] = functionKey;
        await using var broker = await fixture.StartBrokerAsync(settings, probe.AddTo);
        var credential = new FakeCallerCredential(callerToken);
        await using var services = ClientServices.Build(
            fixture,
            broker.BaseAddress,
            services => services.AddSingleton<Azure.Core.TokenCredential>(credential),
            options =>
            {
                options.BrokerScope = "api://tokenbroker/.default";
                options.FunctionKey = functionKey;
            });

        var token = await services.GetRequiredService<IBrokeredTokenProvider>().GetTokenAsync("demo");
        fixture.Sink.AddSensitive(token.AccessToken);

        var call = Assert.Single(probe.Calls);
        Assert.Equal("Bearer " + callerToken, call.Authorization);
        Assert.Equal(functionKey, call.FunctionKey);
        Assert.Equal(["api://tokenbroker/.default"], credential.RequestedScopes);
    }

    [Fact]
    public async Task Without_a_broker_scope_no_Authorization_header_reaches_the_broker()
    {
        var token = await Tokens.GetTokenAsync("demo");
        fixture.Sink.AddSensitive(token.AccessToken);

        var call = Assert.Single(_probe.Calls);
        Assert.Equal(string.Empty, call.Authorization);
        Assert.Equal(string.Empty, call.FunctionKey);
        Assert.Equal("Bearer", token.TokenType);
        Assert.Equal("api.read", token.Scope);
    }

    [Theory]
    [InlineData("no-such-connection", null, 404, "connection_not_found")]
    [InlineData("demo", "api.admin", 403, "scope_not_allowed")]
    [InlineData("bad.name", null, 400, "invalid_connection_name")]
    public async Task A_problem_from_the_broker_becomes_a_TokenBrokerException_with_its_code(string connection, string? scope, int status, string code)
    {
        var error = await Assert.ThrowsAsync<TokenBrokerException>(async () => await Tokens.GetTokenAsync(connection, scope));

        Assert.Equal(status, error.Status);
        Assert.Equal(code, error.Code);
        Assert.Equal(connection, error.Connection);
        Assert.False(string.IsNullOrEmpty(error.Detail));
        Assert.False(string.IsNullOrEmpty(error.TraceId));
        Assert.False(error.IsTransient);
        Assert.Contains(code, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_function_key_is_a_401_unauthorized()
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Host:ApiKey"] = "client-test-function-key-0d5b7e3c19a4";
        fixture.Sink.AddSensitive(settings["TokenBroker:Host:ApiKey"]);
        await using var broker = await fixture.StartBrokerAsync(settings);
        await using var services = ClientServices.Build(fixture, broker.BaseAddress);

        var error = await Assert.ThrowsAsync<TokenBrokerException>(async () => await services.GetRequiredService<IBrokeredTokenProvider>().GetTokenAsync("demo"));

        Assert.Equal(401, error.Status);
        Assert.Equal("unauthorized", error.Code);
    }

    [Fact]
    public async Task An_unavailable_authorization_server_is_a_transient_503_with_retry_after()
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Connections:demo:TokenEndpoint"] = $"http://127.0.0.1:{FreePort.Next()}/connect/token";
        await using var broker = await fixture.StartBrokerAsync(settings);
        await using var services = ClientServices.Build(fixture, broker.BaseAddress);

        var error = await Assert.ThrowsAsync<TokenBrokerException>(async () => await services.GetRequiredService<IBrokeredTokenProvider>().GetTokenAsync("demo"));

        Assert.Equal(503, error.Status);
        Assert.Equal("upstream_unavailable", error.Code);
        Assert.True(error.IsTransient);
        Assert.NotNull(error.RetryAfter);
        Assert.True(error.RetryAfter > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_broker_that_cannot_be_reached_is_a_transient_error_without_status()
    {
        await using var services = ClientServices.Build(fixture, new Uri($"http://127.0.0.1:{FreePort.Next()}/"));

        var error = await Assert.ThrowsAsync<TokenBrokerException>(async () => await services.GetRequiredService<IBrokeredTokenProvider>().GetTokenAsync("demo"));

        Assert.Null(error.Status);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_broker_call_and_scopes_are_cached_per_normalized_set()
    {
        var burst = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Tokens.GetTokenAsync("demo", i % 2 == 0 ? "api.write api.read" : " api.read  api.write api.read").AsTask()));
        var otherCase = await Tokens.GetTokenAsync("DEMO", "api.read api.write");
        var defaults = await Tokens.GetTokenAsync("demo");
        fixture.Sink.AddSensitive(burst[0].AccessToken);
        fixture.Sink.AddSensitive(defaults.AccessToken);

        Assert.Single(burst.Append(otherCase).Select(t => t.AccessToken).Distinct());
        Assert.NotEqual(burst[0].AccessToken, defaults.AccessToken);
        Assert.Equal("api.read api.write", burst[0].Scope);
        Assert.Equal(2, _probe.Count);
    }

    [Fact]
    public async Task RefreshTokenAsync_skips_the_cache_and_replaces_the_cached_token()
    {
        var first = await Tokens.GetTokenAsync("demo");
        var refreshed = await Tokens.RefreshTokenAsync("demo");
        var after = await Tokens.GetTokenAsync("demo");
        fixture.Sink.AddSensitive(first.AccessToken);

        Assert.Equal(2, _probe.Count);
        Assert.Same(refreshed, after);
    }

    [Fact]
    public async Task Cancelling_one_waiter_leaves_the_shared_broker_call_to_the_others()
    {
        _probe.Hold();
        using var impatient = new CancellationTokenSource();
        var cancelled = Tokens.GetTokenAsync("demo", cancellationToken: impatient.Token).AsTask();
        var patient = Tokens.GetTokenAsync("demo").AsTask();
        await _probe.Arrived.Task.WaitAsync(Patience);

        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(patient.IsCompleted);
        _probe.Release();
        var token = await patient.WaitAsync(Patience);
        fixture.Sink.AddSensitive(token.AccessToken);

        Assert.Equal(1, _probe.Count);
        Assert.False(_probe.Aborted.Task.IsCompleted);
    }

    [Fact]
    public async Task When_every_waiter_cancels_the_broker_call_is_aborted_and_the_next_caller_starts_afresh()
    {
        _probe.Hold();
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var calls = new[]
        {
            Tokens.GetTokenAsync("demo", cancellationToken: first.Token).AsTask(),
            Tokens.GetTokenAsync("demo", cancellationToken: second.Token).AsTask(),
        };
        await _probe.Arrived.Task.WaitAsync(Patience);

        await first.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => calls[0]);
        Assert.False(_probe.Aborted.Task.IsCompleted);
        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => calls[1]);
        await _probe.Aborted.Task.WaitAsync(Patience);

        _probe.Release();
        var token = await Tokens.GetTokenAsync("demo").AsTask().WaitAsync(Patience);
        fixture.Sink.AddSensitive(token.AccessToken);
        Assert.Equal(2, _probe.Count);
    }

    [Fact]
    public async Task The_TokenBrokerClient_section_is_bound_and_a_bad_value_stops_start_up_naming_the_key()
    {
        var good = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        good.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenBrokerClient:BrokerUri"] = _broker.BaseAddress.AbsoluteUri,
            ["TokenBrokerClient:SafetyMargin"] = "00:02:00",
        });
        good.Services.AddTokenBrokerClient();
        using (var host = good.Build())
        {
            await host.StartAsync();
            var options = host.Services.GetRequiredService<IOptions<TokenBrokerClientOptions>>().Value;
            Assert.Equal(TimeSpan.FromMinutes(2), options.SafetyMargin);
            var token = await host.Services.GetRequiredService<IBrokeredTokenProvider>().GetTokenAsync("demo");
            fixture.Sink.AddSensitive(token.AccessToken);
            await host.StopAsync();
        }

        var bad = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        bad.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenBrokerClient:BrokerUri"] = "http://tokenbroker.example.com/",
            ["TokenBrokerClient:ManagedIdentityClientId"] = "not-a-guid",
        });
        bad.Services.AddTokenBrokerClient();
        using var badHost = bad.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => badHost.StartAsync());

        Assert.Contains("TokenBrokerClient:BrokerUri must be an absolute https URL", error.Message, StringComparison.Ordinal);
        Assert.Contains("TokenBrokerClient:ManagedIdentityClientId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_token_reaches_a_log_line_a_ToString_or_an_exception_message()
    {
        var token = await Tokens.GetTokenAsync("demo");
        var refreshed = await Tokens.RefreshTokenAsync("demo", "api.write");
        var error = await Assert.ThrowsAsync<TokenBrokerException>(async () => await Tokens.GetTokenAsync("demo", "api.admin"));
        fixture.Sink.AddSensitive(token.AccessToken);
        fixture.Sink.AddSensitive(refreshed.AccessToken);

        Assert.Equal("Bearer token for scope 'api.read', expires " + token.ExpiresOn.ToString("O", System.Globalization.CultureInfo.InvariantCulture), token.ToString());
        Assert.DoesNotContain(token.AccessToken, error.ToString(), StringComparison.Ordinal);

        // The client logs into the same sink as every broker of the run, at Trace.
        Assert.NotEqual(0, fixture.Sink.EmittedCount);
        Assert.Empty(fixture.Sink.Leaks());
    }
}
