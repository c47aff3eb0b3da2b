using Microsoft.Extensions.Time.Testing;
using TokenBroker.IntegrationTests.Infrastructure;

namespace TokenBroker.IntegrationTests.Coordination;

/// <summary>
/// Three broker hosts on loopback sharing one Azurite table, one authorization server and one clock, with callers on every
/// host: at each refresh point the host that fetched the token refreshes first, and the others, a stagger later, read its
/// new token once instead of racing it for the lease. When that host is gone, the others still replace it in time.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class RefreshStaggerTests(IntegrationFixture fixture)
{
    // A one-hour token without jitter: refresh point at 50 minutes, served until 55; a stagger of 5 to 10 seconds.
    private static readonly TimeSpan RefreshPoint = TimeSpan.FromMinutes(50);

    private async Task<(BrokerInstance[] Hosts, TableTrafficControl[] Tables)> StartThreeAsync(FakeTimeProvider clock)
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Refresh:Enabled"] = "false";
        settings["TokenBroker:Refresh:JitterRatio"] = "0";
        settings["TokenBroker:Refresh:UsageMarkInterval"] = "01:00:00";
        settings["TokenBroker:Coordination:RefreshStagger"] = "00:00:05";
        var table = settings["TokenBroker:TokenCache:TableName"]!;
        TableTrafficControl[] tables = [new(), new(), new()];
        var hosts = await Task.WhenAll(tables.Select(control => fixture.StartBrokerAsync(settings, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton(control.Client(fixture.Storage.ConnectionString, table));
        })));
        await Task.WhenAll(hosts.Select(host => host.WarmedUpAsync()));
        return (hosts, tables);
    }

    [Fact]
    public async Task The_host_that_fetched_the_token_refreshes_it_and_the_others_read_its_new_token_once_without_a_lease_race()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (hosts, tables) = await StartThreeAsync(clock);
        try
        {
            var before = fixture.Authorization.Requests.Count;
            var old = (await hosts[0].RequestTokenAsync("demo")).AccessToken;
            Assert.All(await Task.WhenAll(hosts.Skip(1).Select(h => h.RequestTokenAsync("demo"))), c => Assert.Equal(old, c.AccessToken));

            // Past the refresh point, callers on every host: only the fetcher's hit starts a refresh.
            clock.Advance(RefreshPoint + TimeSpan.FromSeconds(1));
            var reads = tables.Select(t => t.EntityReads).ToArray();
            var conflicts = tables.Sum(t => t.Conflicts);
            Assert.All(await Task.WhenAll(hosts.Select(h => h.RequestTokenAsync("demo"))), c => Assert.Equal(old, c.AccessToken));
            var renewed = await WaitForNewTokenAsync(hosts[0], old);
            Assert.Equal(2, fixture.Authorization.Requests.Count - before);
            Assert.Equal(reads[1..], tables.Skip(1).Select(t => t.EntityReads));

            // A stagger later, the others' hits each read the table once and find the new token.
            clock.Advance(TimeSpan.FromSeconds(11));
            await Task.WhenAll(hosts.Skip(1).Select(h => h.RequestTokenAsync("demo")));
            foreach (var host in hosts.Skip(1))
            {
                Assert.Equal(renewed, await WaitForNewTokenAsync(host, old));
            }

            Assert.Equal([1, 1], tables.Skip(1).Select((t, i) => t.EntityReads - reads[i + 1]));
            Assert.Equal(conflicts, tables.Sum(t => t.Conflicts));
            Assert.Equal(2, fixture.Authorization.Requests.Count - before);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task When_the_host_that_fetched_the_token_gets_no_callers_another_refreshes_it_before_serving_ends()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (hosts, _) = await StartThreeAsync(clock);
        var fetcherGone = false;
        try
        {
            var before = fixture.Authorization.Requests.Count;
            var old = (await hosts[0].RequestTokenAsync("demo")).AccessToken;
            await Task.WhenAll(hosts.Skip(1).Select(h => h.RequestTokenAsync("demo")));

            // The fetcher is gone (no callers reach it); past the longest stagger, the others' hits refresh.
            await hosts[0].DisposeAsync();
            fetcherGone = true;
            clock.Advance(RefreshPoint + TimeSpan.FromSeconds(11));
            await Task.WhenAll(hosts.Skip(1).Select(h => h.RequestTokenAsync("demo")));
            var renewed = await Task.WhenAll(hosts.Skip(1).Select(h => WaitForNewTokenAsync(h, old)));

            Assert.Single(renewed.Distinct());
            Assert.Equal(2, fixture.Authorization.Requests.Count - before);
        }
        finally
        {
            foreach (var host in hosts.Skip(fetcherGone ? 1 : 0))
            {
                await host.DisposeAsync();
            }
        }
    }

    // Background refreshes run on real time; a loaded machine gets up to 10 s.
    private static async Task<string?> WaitForNewTokenAsync(BrokerInstance host, string? old)
    {
        for (var i = 0; i < 200; i++)
        {
            var token = (await host.RequestTokenAsync("demo")).AccessToken;
            if (token != old)
            {
                return token;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The host kept serving the old token.");
    }
}
