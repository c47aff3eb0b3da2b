using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TokenBroker.Benchmarks.ColdBurst;
using TokenBroker.Benchmarks.Reporting;

namespace TokenBroker.Benchmarks.Startup;

/// <summary>
/// <c>startup --storage CONNECTION-STRING --out FILE [--rounds 5] [--host DIR] [--host-r2r DIR] [--host-container DIR]
/// [--worker DIR] [--worker-r2r DIR] [--bare-worker DIR] [--trace-dir DIR]</c>: issue 17, item 2, a new instance's time to
/// first token. A token is put in a fresh table first (by a host in this process, from the development authorization
/// server); then, round after round, new processes start and are asked for it: the bare endpoint, the standalone host and
/// the Functions worker under the stand-in Functions host, each from a publish folder without and with ReadyToRun, the
/// host as its container ships it (self-contained, composite ReadyToRun), and the worker's own yardstick, a bare isolated
/// worker (<c>tests/TokenBroker.Benchmarks.BareWorker</c>, ReadyToRun) under the same stand-in. Each sample is timed from
/// just before the process starts to the first response's body; then the same instance's warm hits are timed. The
/// authorization server counts token requests, so a first token that did not come from the table shows.
/// </summary>
internal static class StartupRun
{
    public const string Connection = "demo";

    public static async Task<int> RunAsync(string[] args)
    {
        var storage = Arguments.RequiredOption(args, "--storage");
        var output = Arguments.RequiredOption(args, "--out");
        var rounds = Math.Max(1, int.Parse(Arguments.Option(args, "--rounds") ?? "5", CultureInfo.InvariantCulture));
        var traceDirectory = Arguments.Option(args, "--trace-dir");
        var work = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, "startup");
        Directory.CreateDirectory(work);

        var variants = Variants(args);
        await using var server = await LocalAuthorizationServer.StartAsync();
        var settings = Settings(server, storage, work);
        var body = await SeedAsync(settings);
        var seeded = server.TokenRequests;
        var bodyFile = Path.Combine(work, "token-response.json");
        await File.WriteAllBytesAsync(bodyFile, body);
        Console.WriteLine($"==> a token for '{Connection}' is in table {settings["TokenBroker:TokenCache:TableName"]} ({seeded} token request); {variants.Count} variants, 1 warm-up round + {rounds} rounds");

        var launcher = new InstanceLauncher(settings, bodyFile);
        var samples = new List<StartupSample>();
        var failed = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var round = 0; round <= rounds; round++)
        {
            // Each round starts with another variant, so the machine's drift does not always land on the same one.
            foreach (var variant in variants.Skip(round % variants.Count).Concat(variants.Take(round % variants.Count)))
            {
                StartupSample sample;
                try
                {
                    sample = await launcher.MeasureAsync(variant, round);
                }
                catch (InvalidOperationException ex)
                {
                    // One variant failing to give a token must not hide the others' figures: it is reported as failed.
                    Console.WriteLine($"    round {round} {variant.Name}: FAILED: {ex.Message}");
                    failed[variant.Name] = failed.GetValueOrDefault(variant.Name) + 1;
                    continue;
                }

                Console.WriteLine(Invariant($"    round {round}{(round == 0 ? " (warm-up)" : string.Empty)} {variant.Name,-10} first token after {sample.TimeToFirstResponseMilliseconds,7:N1} ms, CPU {sample.CpuMilliseconds,7:N0} ms (first request {sample.FirstRequestMilliseconds,6:N1} ms, warm hit {sample.WarmHitMilliseconds:N2} ms{(sample.ForwardRetries > 0 ? $", {sample.ForwardRetries} forward(s) retried by the stand-in" : string.Empty)})"));
                if (round > 0)
                {
                    samples.Add(sample);
                }
            }
        }

        var tokenRequests = server.TokenRequests - seeded;
        var traces = new List<StartupTraceSummary>();
        if (traceDirectory is not null)
        {
            Directory.CreateDirectory(traceDirectory);
            foreach (var variant in variants)
            {
                try
                {
                    var trace = await StartupTrace.RunAsync(launcher, variant, traceDirectory);
                    traces.Add(trace);
                    StartupTrace.Print(trace);
                }
                catch (InvalidOperationException ex)
                {
                    Console.WriteLine($"==> trace of {variant.Name}: FAILED: {ex.Message}");
                }
            }
        }

        var result = new StartupResult(
            rounds,
            tokenRequests,
            [.. variants.Where(v => samples.Any(s => s.Variant == v.Name)).Select(v => Summarize(v, samples.Where(s => s.Variant == v.Name).ToList()))],
            samples,
            traces,
            failed);
        await File.WriteAllTextAsync(output, JsonSerializer.Serialize(result, InProcessRun.Json));
        foreach (var variant in result.Variants)
        {
            Console.WriteLine(Invariant($"==> {variant.Name,-10} median first token {variant.TimeToFirstResponseMilliseconds:N1} ms, CPU {variant.CpuMilliseconds:N0} ms; first request {variant.FirstRequestMilliseconds:N1} ms = {variant.FirstRequestRatio:N1}x a warm hit ({variant.WarmHitMilliseconds:N2} ms)"));
        }

        Console.WriteLine($"==> token requests while new instances started: {tokenRequests} (0: every first token came from the table); failed first requests: {samples.Sum(s => s.FailedFirstRequests)}; forwards the stand-in retried before the worker's listener accepted: {samples.Sum(s => s.ForwardRetries)}; wrote {output}");
        return 0;
    }

    private static List<StartupVariant> Variants(string[] args)
    {
        // The yardstick is this very assembly's bare sub-command.
        var variants = new List<StartupVariant> { new("bare", StartupKind.Bare, AppContext.BaseDirectory, ReadyToRun: false) };
        foreach (var (option, name, kind, readyToRun, selfContained) in new[]
        {
            ("--host", "host", StartupKind.Host, false, false),
            ("--host-r2r", "host-r2r", StartupKind.Host, true, false),
            ("--host-container", "host-container", StartupKind.Host, true, true),
            ("--worker", "worker", StartupKind.Worker, false, false),
            ("--worker-r2r", "worker-r2r", StartupKind.Worker, true, false),
            ("--bare-worker", "bare-worker", StartupKind.BareWorker, true, false),
        })
        {
            if (Arguments.Option(args, option) is { } directory)
            {
                variants.Add(new StartupVariant(name, kind, Path.GetFullPath(directory), readyToRun, selfContained));
            }
        }

        return variants;
    }

    // The settings every instance gets (the worker as app settings, the host as environment variables): one connection at
    // the in-process authorization server, the run's table and a secrets file holding the client secret and the cache key.
    private static Dictionary<string, string?> Settings(LocalAuthorizationServer server, string storage, string work)
    {
        var secrets = Path.Combine(work, "secrets.json");
        File.WriteAllText(secrets, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["bench-secret"] = LocalAuthorizationServer.ClientSecret,
            ["token-cache-key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }));
        var prefix = $"TokenBroker:Connections:{Connection}:";
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [prefix + "TokenEndpoint"] = server.TokenEndpoint.AbsoluteUri,
            [prefix + "ClientId"] = LocalAuthorizationServer.ClientId,
            [prefix + "SecretName"] = "bench-secret",
            [prefix + "Scopes"] = LocalAuthorizationServer.Scope,
            ["TokenBroker:LocalSecretsFile"] = secrets,
            ["TokenBroker:TokenCache:ConnectionString"] = storage,
            ["TokenBroker:TokenCache:TableName"] = "startup" + Guid.NewGuid().ToString("N")[..12],
        };
    }

    // One host in this process fetches the token and writes it to the table: what an instance already running did before.
    private static async Task<byte[]> SeedAsync(Dictionary<string, string?> settings)
    {
        await using var host = await BrokerHostInstance.StartAsync(settings);
        using var http = new HttpClient();
        using var content = new ByteArrayContent([]);
        using var response = await http.PostAsync(host.TokenRoute(Connection), content);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Seeding the table failed: HTTP {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        }

        return body;
    }

    private static StartupVariantResult Summarize(StartupVariant variant, List<StartupSample> samples) => new(
        variant.Name,
        variant.Kind,
        variant.ReadyToRun,
        Percentile.Median(samples.Select(s => s.TimeToFirstResponseMilliseconds)),
        Percentile.Median(samples.Select(s => s.FirstRequestMilliseconds)),
        Percentile.Median(samples.Select(s => s.WarmHitMilliseconds)),
        Percentile.Median(samples.Select(s => s.CpuMilliseconds)))
    {
        SelfContained = variant.SelfContained,
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
