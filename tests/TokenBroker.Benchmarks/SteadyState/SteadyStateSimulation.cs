using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenBroker.Acquisition;
using TokenBroker.Benchmarks.Reporting;
using TokenBroker.Benchmarks.Storage;
using TokenBroker.Caching;
using TokenBroker.Credentials;
using TokenBroker.Lifecycle.Inventory;
using TokenBroker.Refresh;
using TokenBroker.Secrets;

namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>
/// Issue item 4: 50 connections (or any number) with 5-minute tokens under continuous requests for 10 simulated minutes.
/// Each broker core is composed with <c>AddTokenBroker</c>, one <see cref="FakeTimeProvider"/> as its clock, one fresh
/// Azurite table (through a <see cref="TableTransactionCounter"/>), a <see cref="CountingVault"/> as Key Vault and
/// <see cref="OpaqueTokenEndpoint"/> as the authorization server. Every simulated second each instance gets one request
/// per connection; every simulated minute the refresh job runs first, on one instance, as the singleton timer (or the
/// standalone host's refresh lease) runs it, and its run is timed. A request
/// "waited on the authorization server" when <c>GetTokenAsync</c> did not complete synchronously: that is exactly a memory
/// miss. Between steps the simulation waits for every background refresh a hit started, so the clock never moves under
/// unfinished work and the result does not depend on the machine's speed.
/// </summary>
internal static class SteadyStateSimulation
{
    public const int DefaultConnections = 50;

    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Duration = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TimerPeriod = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const string ClientSecret = "steady-state-secret-7c1e9a";
    private const string CacheKeyName = "token-cache-key";

    /// <summary><c>steady-state --storage CONNECTION-STRING [--instances 1] [--connections 50] [--out FILE]</c>: this figure alone (in-process also measures it).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var instances = int.Parse(Arguments.Option(args, "--instances") ?? "1", CultureInfo.InvariantCulture);
        var connections = int.Parse(Arguments.Option(args, "--connections") ?? "50", CultureInfo.InvariantCulture);
        var result = await MeasureAsync(Arguments.RequiredOption(args, "--storage"), instances, connections);
        var json = JsonSerializer.Serialize(result, InProcessRun.Json);
        Console.WriteLine(json);
        if (Arguments.Option(args, "--out") is { } output)
        {
            await File.WriteAllTextAsync(output, json);
        }

        return 0;
    }

    /// <summary>Simulates <paramref name="instanceCount"/> broker cores sharing one table, one token endpoint and one clock.</summary>
    public static async Task<SteadyStateResult> MeasureAsync(string storageConnectionString, int instanceCount = 1, int connections = DefaultConnections)
    {
        var clock = new FakeTimeProvider(Start);
        using var endpoint = new OpaqueTokenEndpoint(clock, Start, Lifetime);
        var width = Math.Max(2, (connections - 1).ToString(CultureInfo.InvariantCulture).Length);
        var names = Enumerable.Range(0, connections).Select(i => "c" + i.ToString("D" + width, CultureInfo.InvariantCulture)).ToArray();
        var settings = Settings(storageConnectionString, names);
        var instances = new List<SteadyStateInstance>();

        // One vault content for the fleet, as one Key Vault: every instance must open the tokens the others sealed.
        var cacheKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        try
        {
            for (var i = 0; i < instanceCount; i++)
            {
                var table = new TableTransactionCounter();
                var vault = new CountingVault(ClientSecret, CacheKeyName, cacheKey);
                var host = Build(settings, clock, endpoint, table.Client(storageConnectionString, settings["TokenBroker:TokenCache:TableName"]!), vault);
                await host.StartAsync();
                instances.Add(new SteadyStateInstance(host, names, table, vault));
            }

            return await SimulateAsync(instances, names, clock, endpoint);
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    private static async Task<SteadyStateResult> SimulateAsync(List<SteadyStateInstance> instances, string[] names, FakeTimeProvider clock, OpaqueTokenEndpoint endpoint)
    {
        // Connections join one after another over the first lifetime, as callers would, so their refreshes fall at every
        // phase of the 5-minute window measured after warm-up. Joined all at once, every connection would refresh exactly
        // once inside that window by coincidence of phase (at about 7.2 minutes), whatever the policy.
        var connections = names.Length;
        var joinInterval = Lifetime / connections;

        long requests = 0, requestsAfterWarmUp = 0, waitsAfterWarmUp = 0, coldRequests = 0;
        int startedByHits = 0, byJob = 0;
        var jobRuns = new List<JobRun>();
        CostCounts? atWarmUp = null;
        for (var elapsed = TimeSpan.Zero; elapsed < Duration; elapsed += Step)
        {
            var afterWarmUp = elapsed >= Lifetime;
            if (afterWarmUp && atWarmUp is null)
            {
                atWarmUp = CostCounts.Of(instances, endpoint);
            }

            if (elapsed > TimeSpan.Zero && elapsed.Ticks % TimerPeriod.Ticks == 0)
            {
                // One instance per tick, taking turns: the timer trigger is a singleton, and the standalone host's scheduler
                // runs the job only on the holder of the refresh lease.
                var run = (int)(elapsed.Ticks / TimerPeriod.Ticks);
                var started = Stopwatch.GetTimestamp();
                var report = await instances[run % instances.Count].Job.RunAsync(isPastDue: false, CancellationToken.None);
                jobRuns.Add(new JobRun(elapsed.TotalMinutes, Stopwatch.GetElapsedTime(started).TotalMilliseconds, report.Examined, report.Refreshed, report.LeasedElsewhere));
                byJob += report.Refreshed;
            }

            var now = clock.GetUtcNow();
            var expected = instances.Select(instance => instance.Refreshes.Count).ToArray();
            var misses = new List<Task<TokenResult>>();
            for (var n = 0; n < instances.Count; n++)
            {
                var instance = instances[n];
                for (var i = 0; i < connections && joinInterval * i <= elapsed; i++)
                {
                    if (instance.StartsRefresh(i, now))
                    {
                        expected[n]++;
                        startedByHits++;
                    }

                    var pending = instance.Broker.GetTokenAsync(names[i], null, CancellationToken.None);
                    requests++;
                    requestsAfterWarmUp += afterWarmUp ? 1 : 0;
                    if (pending.IsCompletedSuccessfully)
                    {
                        Check(pending.Result, names[i]);
                        continue;
                    }

                    waitsAfterWarmUp += afterWarmUp ? 1 : 0;
                    coldRequests += afterWarmUp ? 0 : 1;
                    misses.Add(pending.AsTask());
                }
            }

            foreach (var result in await Task.WhenAll(misses))
            {
                Check(result, "a connection");
            }

            for (var n = 0; n < instances.Count; n++)
            {
                await instances[n].Refreshes.WaitForAsync(expected[n], SettleTimeout);
                if (instances[n].Refreshes.Failed > 0)
                {
                    throw new InvalidOperationException($"A refresh failed at {elapsed}; see the log above.");
                }
            }

            clock.Advance(Step);
        }

        if (endpoint.UnexpectedRequests > 0)
        {
            throw new InvalidOperationException($"The broker sent {endpoint.UnexpectedRequests} requests that were not token requests.");
        }

        var counts = new SteadyStateCounts(
            instances.Count, requests, requestsAfterWarmUp, waitsAfterWarmUp, coldRequests, startedByHits, byJob, instances.Sum(instance => instance.Refreshes.LeasedElsewhere));
        var atEnd = CostCounts.Of(instances, endpoint);

        // Read after the counts are taken: this query is the benchmark's, not the broker's.
        var inventoryRows = (await instances[0].Services.GetRequiredService<InventoryStore>().ReadTakenOnAsync(CancellationToken.None)).Count;
        return Result(instances[0].Services, endpoint.Issued, counts, connections) with
        {
            TableTransactions = atEnd.Table,
            TableTransactionsAfterWarmUp = atEnd.Table - atWarmUp!.Table,
            TableAnswersAfterWarmUp = atEnd.AnswersSince(atWarmUp),
            KeyVaultReads = atEnd.KeyVaultReads,
            KeyVaultReadsAfterWarmUp = atEnd.KeyVaultReads - atWarmUp.KeyVaultReads,
            JobRuns = jobRuns,
            JobIntervalSeconds = TimerPeriod.TotalSeconds,
            InventoryRows = inventoryRows,
        };
    }

    private static SteadyStateResult Result(IServiceProvider services, IReadOnlyList<IssuedToken> issued, SteadyStateCounts counts, int connections)
    {
        var lifetimesAfterWarmUp = (Duration - Lifetime) / Lifetime;
        var afterWarmUp = issued.Count(token => token.Elapsed >= Lifetime);
        var intervals = issued
            .GroupBy(token => token.Connection, StringComparer.Ordinal)
            .SelectMany(group =>
            {
                var times = group.Select(token => token.Elapsed).Order().ToArray();
                return times.Zip(times.Skip(1), (previous, next) => (next - previous).TotalMinutes);
            })
            .ToArray();

        // What the configured policy predicts for this lifetime, and the floor any schedule without waits must respect.
        var refresh = services.GetRequiredService<IOptions<RefreshOptions>>().Value;
        var margin = services.GetRequiredService<ServingPolicy>().MarginFor(Lifetime);
        var refreshPoint = Max(Lifetime * refresh.WindowRatio, Lifetime - refresh.BeforeExpiry) - (Lifetime * (refresh.JitterRatio / 2));

        return new SteadyStateResult(
            connections,
            Duration.TotalMinutes,
            Lifetime.TotalMinutes,
            counts.RequestsAfterWarmUp,
            counts.WaitsAfterWarmUp,
            afterWarmUp / (connections * lifetimesAfterWarmUp),
            counts.Requests,
            counts.ColdRequests,
            issued.Count,
            afterWarmUp,
            counts.StartedByHits,
            counts.ByJob,
            intervals.Length == 0 ? 0 : intervals.Average(),
            intervals.Length == 0 ? 0 : intervals.Min(),
            Lifetime / refreshPoint,
            Lifetime / (Lifetime - margin),
            counts.Instances,
            counts.LeasedElsewhere)
        {
            EarliestRefreshRatio = (Max(Lifetime * refresh.WindowRatio, Lifetime - refresh.BeforeExpiry) - (Lifetime * refresh.JitterRatio)) / Lifetime,
        };
    }

    private static Dictionary<string, string?> Settings(string storageConnectionString, string[] names)
    {
        var settings = new Dictionary<string, string?>
        {
            ["TokenBroker:TokenCache:ConnectionString"] = storageConnectionString,
            ["TokenBroker:TokenCache:TableName"] = "steadystate" + Guid.NewGuid().ToString("N")[..12],
            ["TokenBroker:TokenEndpoint:MaxRetryAttempts"] = "0",
        };
        foreach (var name in names)
        {
            var prefix = $"TokenBroker:Connections:{name}:";
            settings[prefix + "TokenEndpoint"] = $"https://as.steady-state.test/{name}/token";
            settings[prefix + "ClientId"] = "steady-client";
            // A secret per connection, as in production: Key Vault reads are counted per connection.
            settings[prefix + "SecretName"] = "secret-" + name;
            settings[prefix + "Scopes"] = "api.read";
        }

        return settings;
    }

    private static IHost Build(Dictionary<string, string?> settings, FakeTimeProvider clock, OpaqueTokenEndpoint endpoint, TableClient table, CountingVault vault)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(table);
        builder.Services.AddSingleton<ICredentialSource<ClientSecret>>(vault);
        builder.Services.AddTokenBroker(builder.Configuration);

        // The factory would dispose a handler it created when the handler's lifetime ends; this one lives as long as the run.
        builder.Services.AddHttpClient(ClientCredentialsClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => endpoint)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return builder.Build();
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static void Check(TokenResult result, string connection)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"A request for {connection} failed: {result.Error.Kind} {result.Error.Detail}");
        }
    }
}
