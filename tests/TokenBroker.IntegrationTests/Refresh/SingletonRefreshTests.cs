using Microsoft.Extensions.Time.Testing;
using TokenBroker.Refresh;

namespace TokenBroker.IntegrationTests.Refresh;

/// <summary>
/// In Azure the refresh job runs on one instance at a time: "If a function app scales out to multiple instances, only a
/// single instance of a timer-triggered function is run across all instances"
/// (https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#scale-out). Three hosts share one table
/// and one clock; only the first runs the job, every one serves its own callers and writes its own usage marks.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class SingletonRefreshTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task With_the_job_on_one_of_three_instances_no_entry_used_anywhere_is_deleted_as_idle_and_none_is_refreshed_twice()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Refresh:Enabled"] = "false";
        settings["TokenBroker:Refresh:IdleTimeout"] = "00:20:00";
        settings["TokenBroker:Refresh:UsageMarkInterval"] = "01:00:00";
        var hosts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => fixture.StartBrokerAsync(settings, s => s.AddSingleton<TimeProvider>(clock))));
        try
        {
            // One entry per instance, each used only there.
            var uses = new Func<Task<TokenCall>>[]
            {
                () => hosts[0].RequestTokenAsync("demo"),
                () => hosts[1].RequestTokenAsync("demo", new { scope = "api.write" }),
                () => hosts[2].RequestTokenAsync("other"),
            };
            var before = fixture.Authorization.Requests.Count;
            foreach (var use in uses)
            {
                Assert.Equal(200, (await use()).Status);
            }

            var job = hosts[0].Services.GetRequiredService<TokenRefreshJob>();
            var reports = new List<RefreshReport>();

            // Ten timer runs five minutes apart, 50 minutes in all: well past the 20-minute idle timeout, and into the
            // one-hour tokens' refresh window at the end. Between runs every instance serves and marks its own entry.
            for (var minute = 5; minute <= 50; minute += 5)
            {
                clock.Advance(TimeSpan.FromMinutes(5));
                reports.Add(await job.RunAsync(isPastDue: false, CancellationToken.None));
                foreach (var use in uses)
                {
                    Assert.Equal(200, (await use()).Status);
                }

                await Task.WhenAll(hosts.Select(h => h.Services.GetRequiredService<UsageMarker>().MarkAsync(CancellationToken.None)));
            }

            reports.Add(await job.RunAsync(isPastDue: true, CancellationToken.None));

            Assert.All(reports, r => Assert.Equal(0, r.Deleted));
            Assert.All(reports, r => Assert.Equal(3, r.Examined));
            Assert.Equal(3, reports.Sum(r => r.Refreshed));
            Assert.Equal(0, reports[^1].Refreshed);
            Assert.Equal(6, fixture.Authorization.Requests.Count - before);
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
    public async Task One_instance_holds_the_refresh_lease_and_another_takes_over_only_when_it_lapses()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Refresh:Enabled"] = "false";
        var hosts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => fixture.StartBrokerAsync(settings, s => s.AddSingleton<TimeProvider>(clock))));
        try
        {
            var leases = hosts.Select(h => h.Services.GetRequiredService<RefreshLease>()).ToArray();

            var first = await Task.WhenAll(leases.Select(l => l.TryAcquireAsync(TimeSpan.FromMinutes(2), CancellationToken.None)));
            var holder = Array.IndexOf(first, true);
            Assert.Single(first, held => held);

            clock.Advance(TimeSpan.FromMinutes(1));
            Assert.True(await leases[holder].TryAcquireAsync(TimeSpan.FromMinutes(2), CancellationToken.None));
            var other = (holder + 1) % 3;
            Assert.False(await leases[other].TryAcquireAsync(TimeSpan.FromMinutes(2), CancellationToken.None));

            // The holder stops renewing (it crashed): once its lease has run out, another instance takes over.
            clock.Advance(TimeSpan.FromMinutes(3));
            Assert.True(await leases[other].TryAcquireAsync(TimeSpan.FromMinutes(2), CancellationToken.None));
            Assert.False(await leases[holder].TryAcquireAsync(TimeSpan.FromMinutes(2), CancellationToken.None));
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
    public async Task An_instance_that_stops_gives_up_the_refresh_lease_so_another_runs_the_job_without_waiting_for_it_to_lapse()
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Refresh:Schedule"] = "00:00:00.200";
        var hosts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => fixture.StartBrokerAsync(settings)));
        var table = new Azure.Data.Tables.TableClient(fixture.Storage.ConnectionString, settings["TokenBroker:TokenCache:TableName"]);
        try
        {
            var owners = hosts.Select(h => h.Services.GetRequiredService<RefreshLease>().Owner).ToList();
            var holder = await LeaseOwnerAsync(table, owner => owner is not null);
            var stopped = hosts[owners.IndexOf(holder!)];
            await stopped.DisposeAsync();

            // Held for two intervals and 30 seconds; released at stop, another instance takes it at its next instant.
            var successor = await LeaseOwnerAsync(table, owner => owner is not null && owner != holder);
            Assert.Contains(successor, owners);
            hosts = [.. hosts.Where(h => h != stopped)];
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    // The lease row's owner once it satisfies the condition; 10 s is a third of the lease's hold, so a lapse cannot pass.
    private static async Task<string?> LeaseOwnerAsync(Azure.Data.Tables.TableClient table, Func<string?, bool> condition)
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(10);
        while (true)
        {
            var row = await table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(RefreshLease.Partition, "scheduler");
            var owner = row.HasValue ? row.Value!.GetString("Owner") : null;
            if (condition(owner) || DateTimeOffset.UtcNow > until)
            {
                Assert.True(condition(owner), $"the lease's owner is {owner ?? "nobody"} after 10 s");
                return owner;
            }

            await Task.Delay(50);
        }
    }
}
