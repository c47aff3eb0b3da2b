using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using TokenBroker.Acquisition;

namespace TokenBroker.IntegrationTests;

/// <summary>The authorization server and Table Storage failing, with faults injected in front of the real server.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class ResilienceTests(IntegrationFixture fixture)
{
    private Task<BrokerInstance> StartAsync(FaultInjector faults, Dictionary<string, string?>? settings = null, TimeProvider? clock = null) =>
        fixture.StartBrokerAsync(settings ?? fixture.BrokerSettings(), services =>
        {
            services.AddHttpClient(ClientCredentialsClient.HttpClientName).AddHttpMessageHandler(() => faults);
            if (clock is not null)
            {
                services.AddSingleton(clock);
            }
        });

    [Fact]
    public async Task Transient_503s_are_retried_and_the_caller_gets_a_token()
    {
        var faults = new FaultInjector();
        faults.Enqueue(FaultInjector.Fault.Unavailable, FaultInjector.Fault.Unavailable);
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:TokenEndpoint:MaxRetryAttempts"] = "2";
        await using var broker = await StartAsync(faults, settings);

        var call = await broker.RequestTokenAsync("demo");

        Assert.Equal(200, call.Status);
        Assert.Equal(2, faults.Injected);
        Assert.Equal(1, faults.Passed);
    }

    [Fact]
    public async Task A_long_retry_after_goes_back_to_the_caller_and_holds_every_instance()
    {
        var faults = new FaultInjector();
        faults.Enqueue(FaultInjector.Fault.Throttled(TimeSpan.FromSeconds(60)));
        var settings = fixture.BrokerSettings();
        await using var first = await StartAsync(faults, settings);
        await using var second = await StartAsync(faults, settings);

        var throttled = await first.RequestTokenAsync("demo");
        var held = await second.RequestTokenAsync("demo");

        Assert.Equal(503, throttled.Status);
        Assert.Equal("upstream_unavailable", throttled.Code);
        Assert.InRange(int.Parse(throttled.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture), 55, 60);
        Assert.Equal(503, held.Status);
        Assert.InRange(int.Parse(held.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(1, faults.Seen);
    }

    [Fact]
    public async Task A_slow_authorization_server_never_holds_a_caller_beyond_the_configured_bound()
    {
        var faults = new FaultInjector { Always = FaultInjector.Fault.Slow(TimeSpan.FromSeconds(20)) };
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:TokenEndpoint:AttemptTimeout"] = "00:00:00.500";
        settings["TokenBroker:TokenEndpoint:TotalTimeout"] = "00:00:01.500";
        await using var broker = await StartAsync(faults, settings);

        var watch = Stopwatch.StartNew();
        var call = await broker.RequestTokenAsync("demo");

        Assert.Equal(503, call.Status);
        Assert.NotNull(call.RetryAfter);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task With_the_server_down_usable_tokens_keep_being_served_and_then_503_with_retry_after()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var faults = new FaultInjector();
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Refresh:Enabled"] = "false";
        settings["TokenBroker:TokenEndpoint:MaxRetryAttempts"] = "0";
        await using var broker = await StartAsync(faults, settings, clock);
        var token = (await broker.RequestTokenAsync("demo")).AccessToken;

        faults.Always = FaultInjector.Fault.Unavailable;
        clock.Advance(TimeSpan.FromMinutes(52));
        var inWindow = await broker.RequestTokenAsync("demo");
        for (var i = 0; i < 50 && faults.Injected == 0; i++)
        {
            await Task.Delay(20);
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        var stillUsable = await broker.RequestTokenAsync("demo");
        clock.Advance(TimeSpan.FromMinutes(2));
        var exhausted = await broker.RequestTokenAsync("demo");

        Assert.Equal(token, inWindow.AccessToken);
        Assert.Equal(token, stillUsable.AccessToken);
        Assert.True(faults.Injected >= 1);
        Assert.Equal(503, exhausted.Status);
        Assert.Equal("upstream_unavailable", exhausted.Code);
        Assert.NotNull(exhausted.RetryAfter);
    }

    [Fact]
    public async Task Stopping_table_storage_mid_test_fails_no_request()
    {
        await using var storage = await AzuriteServer.StartAsync();
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:TokenCache:ConnectionString"] = storage.ConnectionString;
        await using var broker = await StartAsync(new FaultInjector(), settings);
        var cached = await broker.RequestTokenAsync("demo");
        Assert.Equal(200, cached.Status);

        await storage.StopAsync();
        var fromMemory = await broker.RequestTokenAsync("demo");
        var fetchedWithoutTable = await broker.RequestTokenAsync("demo", new { scope = "api.write" });
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => broker.RequestTokenAsync("other")));

        Assert.Equal(cached.AccessToken, fromMemory.AccessToken);
        Assert.Equal(200, fetchedWithoutTable.Status);
        Assert.All(concurrent, c => Assert.Equal(200, c.Status));
        Assert.Single(concurrent.Select(c => c.AccessToken).Distinct());
        Assert.Contains(fixture.Sink.Emitted, line => line.StartsWith("metric tokenbroker.storage_failures", StringComparison.Ordinal));
    }
}
