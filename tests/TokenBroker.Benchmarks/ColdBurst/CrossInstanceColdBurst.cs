using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenBroker.Benchmarks.Reporting;
using TokenBroker.Benchmarks.Storage;
using TokenBroker.Coordination;

namespace TokenBroker.Benchmarks.ColdBurst;

/// <summary>
/// <c>cold-burst --storage CONNECTION-STRING --out FILE [--hosts 3] [--callers 1000] [--rounds 3] [--auth-delay-ms 0] [--peer-poll-ms MS]</c>:
/// a cold key across instances. Starts the development authorization server (answering after <c>--auth-delay-ms</c>,
/// for an Entra-like latency) and N standalone broker hosts in this process, all on loopback, the hosts sharing one
/// fresh table. Each round first times one cold request alone, then releases the burst on another connection nobody asked
/// for yet, so the two are measured side by side on the same warm processes; then, for scale, the same burst again on the
/// now cached token. Each host's table client counts its reads, so the reads of the hosts that waited for the lease holder
/// are known.
/// </summary>
internal static class CrossInstanceColdBurst
{
    private const string ConnectionPrefix = "cb";

    public static async Task<int> RunAsync(string[] args)
    {
        var storage = Arguments.RequiredOption(args, "--storage");
        var output = Arguments.RequiredOption(args, "--out");
        var hostCount = IntOption(args, "--hosts", 3);
        var callers = IntOption(args, "--callers", 1000);
        var rounds = IntOption(args, "--rounds", 3);
        var peerPoll = Arguments.Option(args, "--peer-poll-ms") is { } poll ? TimeSpan.FromMilliseconds(int.Parse(poll, CultureInfo.InvariantCulture)) : (TimeSpan?)null;
        var authDelay = TimeSpan.FromMilliseconds(IntOption(args, "--auth-delay-ms", 0));

        await using var server = await LocalAuthorizationServer.StartAsync(authDelay);
        var settings = Settings(server, storage, peerPoll, hostCount, rounds);
        var hosts = new List<BrokerHostInstance>();
        var counters = new List<TableTransactionCounter>();
        var logs = new List<TableRequestLog>();
        try
        {
            for (var i = 0; i < hostCount; i++)
            {
                var counter = new TableTransactionCounter();
                counters.Add(counter);
                var log = new TableRequestLog();
                logs.Add(log);
                var table = counter.Client(storage, settings["TokenBroker:TokenCache:TableName"]!, log);
                hosts.Add(await BrokerHostInstance.StartAsync(settings, services => services.AddSingleton(table)));
            }

            var refresh = hosts[0].Services.GetRequiredService<IOptions<CoordinationOptions>>().Value;

            Console.WriteLine($"==> {hostCount} broker hosts ({string.Join(", ", hosts.Select(h => h.BaseAddress))}) on table {settings["TokenBroker:TokenCache:TableName"]}, authorization server {server.TokenEndpoint}");
            using var callerPool = new TokenCallers(callers);
            await WarmUpAsync(server, hosts, callerPool, callers);

            var results = new List<ColdBurstRound>();
            for (var round = 1; round <= rounds; round++)
            {
                var result = await MeasureRoundAsync(server, hosts, counters, logs, callerPool, callers, round);
                results.Add(result);
                var hostP99 = string.Join(" / ", result.HostP99Milliseconds.Select(p => p.ToString("N1", CultureInfo.InvariantCulture)));
                Console.WriteLine(Invariant($"    round {round}: lone cold request {result.SingleRequestMilliseconds:N1} ms (straight to the server {result.DirectTokenRequestMilliseconds:N1} ms)"));
                Console.WriteLine(Invariant($"      burst of {callers:N0}: {result.TokenRequests} token request(s), {result.Failures} failures, {result.DistinctTokens} distinct token(s), p50 {result.P50Milliseconds:N1} ms, p99 {result.P99Milliseconds:N1} ms, max {result.MaxMilliseconds:N1} ms, last answer after {result.BurstMilliseconds:N1} ms, {result.ConnectionsOpened} new TCP connections; p99 per host {hostP99} ms"));
                Console.WriteLine(Invariant($"      table reads per host {string.Join(" / ", result.HostTableReads)} (the lease holder reads once; a host that waited, once more per look); the same burst on the cached token: p99 {result.WarmBurstP99Milliseconds:N1} ms"));
                foreach (var line in result.Timeline?.Describe() ?? [])
                {
                    Console.WriteLine("      timeline (ms from the release): " + line);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }

            var summary = new CrossInstanceColdBurstResult(
                hostCount,
                callers,
                results.Max(r => r.TokenRequests),
                Percentile.Median(results.Select(r => r.P99Milliseconds)),
                Percentile.Median(results.Select(r => r.SingleRequestMilliseconds)),
                rounds,
                results.Sum(r => r.Failures),
                Percentile.Median(results.Select(r => r.P50Milliseconds)),
                results.Max(r => r.MaxMilliseconds),
                Percentile.Median(results.Select(r => r.DirectTokenRequestMilliseconds)),
                refresh.PeerPollInterval.TotalMilliseconds,
                results)
            {
                TokenResponseDelayMilliseconds = authDelay.TotalMilliseconds,
                PeerReadLimit = refresh.PeerReadLimit,
                PeerReadsPerWaitingHost = Mean(results.SelectMany(r => r.HostTableReads.Where(reads => reads > 1).Select(reads => reads - 1.0))),
                MaxPeerReads = results.SelectMany(r => r.HostTableReads).DefaultIfEmpty(1).Max() - 1,
                WarmBurstP99Milliseconds = Percentile.Median(results.Select(r => r.WarmBurstP99Milliseconds)),
                LeaseWonMilliseconds = MedianOrZero(results.Select(r => r.Timeline?.LeaseWonMilliseconds ?? -1)),
                TokenLandedMilliseconds = MedianOrZero(results.Select(r => r.Timeline?.TokenLandedMilliseconds ?? -1)),
                SeenAfterLandingMilliseconds = MedianOf(results.Where(r => r.Timeline is { TokenLandedMilliseconds: >= 0 })
                    .SelectMany(r => r.Timeline!.Waiting.Where(w => w.SeenMilliseconds >= 0).Select(w => w.SeenMilliseconds - r.Timeline!.TokenLandedMilliseconds))),
                ServedAfterSeenMilliseconds = MedianOf(results.SelectMany(r => r.Timeline?.Waiting ?? []).Where(w => w.SeenMilliseconds >= 0).Select(w => w.P99Milliseconds - w.SeenMilliseconds)),
                PeerReadLatencyMilliseconds = MedianOf(results.SelectMany(r => r.Timeline?.Waiting ?? []).SelectMany(w => w.PeerReads).Select(read => read.LatencyMilliseconds)),
            };
            await File.WriteAllTextAsync(output, JsonSerializer.Serialize(summary, InProcessRun.Json));
            Console.WriteLine(Invariant($"==> median p99 {summary.P99Milliseconds:N1} ms = {summary.P99Ratio:N2}x the lone cold request ({summary.SingleRequestMilliseconds:N1} ms); wrote {output}"));
            Console.WriteLine(Invariant($"    medians: lease won {summary.LeaseWonMilliseconds:N1} ms, token in the table {summary.TokenLandedMilliseconds:N1} ms, seen by a waiting host {summary.SeenAfterLandingMilliseconds:N1} ms after (its reads took {summary.PeerReadLatencyMilliseconds:N1} ms), its callers' p99 {summary.ServedAfterSeenMilliseconds:N1} ms after that; cached burst p99 {summary.WarmBurstP99Milliseconds:N1} ms, so the cold burst adds {summary.CoordinationOverheadRatio:N2}x the lone cold request"));

            // Callers that got no token make the figure INVALID in the report, which then fails the run; the file is written.
            return 0;
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    // Connections are only names here: the same client at the same server, each its own partition in the shared table, so
    // each is cold until its first request. warm-N and warm-burst serve the warm-up; single-R and burst-R the rounds.
    private static Dictionary<string, string?> Settings(LocalAuthorizationServer server, string storage, TimeSpan? peerPoll, int hosts, int rounds)
    {
        var settings = new Dictionary<string, string?>
        {
            ["TokenBroker:TokenCache:ConnectionString"] = storage,
            ["TokenBroker:TokenCache:TableName"] = "coldburst" + Guid.NewGuid().ToString("N")[..12],
            ["TokenBroker:Secrets:bench-secret"] = LocalAuthorizationServer.ClientSecret,
            ["TokenBroker:Secrets:token-cache-key"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),

            // The refresh job lists the table once a minute; it has nothing to do with a burst and would only add noise.
            ["TokenBroker:Refresh:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var names = Enumerable.Range(1, hosts).Select(i => $"warm-{i}")
            .Append("warm-burst")
            .Concat(Enumerable.Range(1, rounds).SelectMany(r => new[] { $"single-{r}", $"burst-{r}" }));
        foreach (var name in names)
        {
            var prefix = $"TokenBroker:Connections:{ConnectionPrefix}-{name}:";
            settings[prefix + "TokenEndpoint"] = server.TokenEndpoint.AbsoluteUri;
            settings[prefix + "ClientId"] = LocalAuthorizationServer.ClientId;
            settings[prefix + "SecretName"] = "bench-secret";
            settings[prefix + "Scopes"] = LocalAuthorizationServer.Scope;
        }

        if (peerPoll is { } interval)
        {
            settings["TokenBroker:Coordination:PeerPollInterval"] = interval.ToString("c", CultureInfo.InvariantCulture);
        }

        return settings;
    }

    // A cold request on every host JITs the whole cold path there (table miss, lease, token request, table write); a first
    // burst JITs the path of the hosts that lose the lease and opens the callers' connections, so the measured rounds pay
    // neither compilation nor TCP handshakes, on either side of the comparison.
    private static async Task WarmUpAsync(LocalAuthorizationServer server, List<BrokerHostInstance> hosts, TokenCallers callers, int burst)
    {
        for (var i = 0; i < hosts.Count; i++)
        {
            Check(await callers.CallAsync(i, hosts[i].TokenRoute(Connection($"warm-{i + 1}"))), "a warm-up request");
        }

        var (samples, _, _) = await callers.BurstAsync(hosts, Connection("warm-burst"), burst);
        foreach (var sample in samples)
        {
            Check(sample, "a warm-up burst");
        }

        for (var i = 0; i < 3; i++)
        {
            await server.TimeDirectRequestAsync(callers.Http);
        }
    }

    private static async Task<ColdBurstRound> MeasureRoundAsync(
        LocalAuthorizationServer server, List<BrokerHostInstance> hosts, List<TableTransactionCounter> counters, List<TableRequestLog> logs, TokenCallers callers, int burst, int round)
    {
        Settle();
        var before = server.TokenRequests;
        var single = await callers.CallAsync((round - 1) % hosts.Count, hosts[(round - 1) % hosts.Count].TokenRoute(Connection($"single-{round}")));
        Check(single, "the lone cold request");
        if (server.TokenRequests - before != 1)
        {
            throw new InvalidOperationException($"The lone cold request caused {server.TokenRequests - before} token requests instead of 1.");
        }

        var direct = await server.TimeDirectRequestAsync(callers.Http);

        Settle();
        before = server.TokenRequests;
        var connectionsBefore = callers.ConnectionsOpened;
        var readsBefore = counters.Select(c => c.Counted.EntityReads).ToArray();
        logs.ForEach(log => log.Start());
        var (samples, elapsed, released) = await callers.BurstAsync(hosts, Connection($"burst-{round}"), burst);
        var timelines = logs.Select(log => log.Stop()).ToList();
        var tokenRequests = server.TokenRequests - before;
        var reads = counters.Select((c, i) => c.Counted.EntityReads - readsBefore[i]).ToArray();

        // The same burst once the token is cached everywhere: what 1,000 callers cost on these cores without any fetch.
        Settle();
        var (warm, _, _) = await callers.BurstAsync(hosts, Connection($"burst-{round}"), burst);
        foreach (var sample in warm)
        {
            Check(sample, "the cached burst");
        }

        var latencies = samples.Select(s => s.Milliseconds).ToArray();
        var hostP99 = Enumerable.Range(0, hosts.Count).Select(h => Percentile.Of(samples.Where(s => s.Host == h).Select(s => s.Milliseconds), 99)).ToArray();
        return new ColdBurstRound(
            round,
            single.Milliseconds,
            direct,
            tokenRequests,
            samples.Count(s => !TokenCallers.Succeeded(s)),
            samples.Where(TokenCallers.Succeeded).Select(TokenCallers.AccessToken).Distinct(StringComparer.Ordinal).Count(),
            Percentile.Of(latencies, 50),
            Percentile.Of(latencies, 99),
            latencies.Max(),
            elapsed.TotalMilliseconds,
            callers.ConnectionsOpened - connectionsBefore,
            hostP99,
            reads,
            Percentile.Of(warm.Select(s => s.Milliseconds).ToArray(), 99))
        {
            Timeline = BurstTimeline.From(released, timelines, hostP99),
        };
    }

    private static double Mean(IEnumerable<double> values) => values.DefaultIfEmpty(0).Average();

    // -1 marks a step a round's timeline did not see (no holder, no read that found the token): left out of the median.
    private static double MedianOrZero(IEnumerable<double> values) => MedianOf(values.Where(v => v >= 0));

    // Differences may be a little below zero: a read answered just before the holder heard its write succeed.
    private static double MedianOf(IEnumerable<double> values) => values.ToArray() is { Length: > 0 } all ? Percentile.Median(all) : 0;

    // The same starting heap before both sides of the comparison, so neither inherits the other's garbage.
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static string Connection(string name) => $"{ConnectionPrefix}-{name}";

    private static void Check(CallerSample sample, string what)
    {
        if (!TokenCallers.Succeeded(sample))
        {
            throw new InvalidOperationException($"{what} got HTTP {sample.Status} and no token: {System.Text.Encoding.UTF8.GetString(sample.Body)}");
        }
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Arguments.Option(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
