using Microsoft.Extensions.Time.Testing;
using TokenBroker.Refresh;

namespace TokenBroker.IntegrationTests;

/// <summary>Three broker hosts on loopback sharing one Azurite table, one authorization server and one clock.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class MultiInstanceTests(IntegrationFixture fixture)
{
    private async Task<Hosts> StartThreeAsync(FakeTimeProvider clock)
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Refresh:Enabled"] = "false";

        // Usage marks are written on the fake clock too; an hour apart they stay out of these tests' way.
        settings["TokenBroker:Refresh:UsageMarkInterval"] = "01:00:00";
        return new Hosts(await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => fixture.StartBrokerAsync(settings, s => s.AddSingleton<TimeProvider>(clock)))));
    }

    [Fact]
    public async Task Three_hosts_make_one_token_request_for_300_cold_requests_and_one_refresh_when_the_timer_fires_on_all()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var group = await StartThreeAsync(clock);
        var hosts = group.All;
        var before = fixture.Authorization.Requests.Count;

        var cold = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => hosts[i % 3].RequestTokenAsync("demo")));

        Assert.All(cold, c => Assert.Equal(200, c.Status));
        Assert.Single(cold.Select(c => c.AccessToken).Distinct());
        Assert.Equal(1, fixture.Authorization.Requests.Count - before);

        // 54 minutes into a one-hour token: inside the refresh window on every host, still servable.
        clock.Advance(TimeSpan.FromMinutes(54));
        var reports = await Task.WhenAll(hosts.Select(h => h.Services.GetRequiredService<TokenRefreshJob>().RunAsync(isPastDue: false, CancellationToken.None)));

        Assert.Equal(2, fixture.Authorization.Requests.Count - before);
        Assert.Equal(1, reports.Sum(r => r.Refreshed));
        Assert.Equal(2, reports.Sum(r => r.LeasedElsewhere));

        // A second (or late) run finds nothing due; every host converges on the new token without another request.
        var late = await Task.WhenAll(hosts.Select(h => h.Services.GetRequiredService<TokenRefreshJob>().RunAsync(isPastDue: true, CancellationToken.None)));
        Assert.Equal(0, late.Sum(r => r.Refreshed));
        var served = await Task.WhenAll(hosts.Select(h => h.RequestTokenAsync("demo")));
        Assert.All(served, c => Assert.Equal(200, c.Status));
        await Task.Delay(500);
        var converged = await Task.WhenAll(hosts.Select(h => h.RequestTokenAsync("demo")));
        Assert.Single(converged.Select(c => c.AccessToken).Distinct());
        Assert.NotEqual(cold[0].AccessToken, converged[0].AccessToken);
        Assert.Equal(2, fixture.Authorization.Requests.Count - before);
    }

    [Fact]
    public async Task A_background_refresh_on_every_host_converges_on_the_holders_token_before_serve_until()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var group = await StartThreeAsync(clock);
        var hosts = group.All;
        var before = fixture.Authorization.Requests.Count;
        var old = (await hosts[0].RequestTokenAsync("demo")).AccessToken;
        Assert.All(await Task.WhenAll(hosts.Select(h => h.RequestTokenAsync("demo"))), c => Assert.Equal(old, c.AccessToken));

        // Inside the refresh window, hits on every host start a background refresh at once; one host takes the lease.
        clock.Advance(TimeSpan.FromMinutes(52));
        Assert.All(await Task.WhenAll(hosts.Select(h => h.RequestTokenAsync("demo"))), c => Assert.Equal(old, c.AccessToken));

        // Well before the old token's serve-until (55 min), every host serves the holder's new token from memory.
        string?[] served = [];
        for (var i = 0; i < 100; i++)
        {
            await Task.Delay(50);
            served = (await Task.WhenAll(hosts.Select(h => h.RequestTokenAsync("demo")))).Select(c => c.AccessToken).ToArray();
            if (served.All(t => t != old))
            {
                break;
            }
        }

        Assert.All(served, t => Assert.NotEqual(old, t));
        Assert.Single(served.Distinct());
        Assert.Equal(2, fixture.Authorization.Requests.Count - before);
    }

    [Fact]
    public async Task Idle_entries_are_not_refreshed_and_are_deleted_after_the_idle_timeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Refresh:Enabled"] = "false";
        settings["TokenBroker:Refresh:IdleTimeout"] = "00:30:00";
        settings["TokenBroker:Refresh:UsageMarkInterval"] = "01:00:00";
        await using var host = await fixture.StartBrokerAsync(settings, s => s.AddSingleton<TimeProvider>(clock));
        await host.RequestTokenAsync("demo");
        var before = fixture.Authorization.Requests.Count;

        clock.Advance(TimeSpan.FromMinutes(31));
        var report = await host.Services.GetRequiredService<TokenRefreshJob>().RunAsync(false, CancellationToken.None);

        Assert.Equal(1, report.Deleted);
        Assert.Equal(0, report.Refreshed);
        Assert.Equal(before, fixture.Authorization.Requests.Count);
    }

    private sealed class Hosts(BrokerInstance[] all) : IAsyncDisposable
    {
        public BrokerInstance[] All { get; } = all;

        public async ValueTask DisposeAsync()
        {
            foreach (var host in All)
            {
                await host.DisposeAsync();
            }
        }
    }
}
