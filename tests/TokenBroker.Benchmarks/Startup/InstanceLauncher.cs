using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using TokenBroker.Benchmarks.ColdBurst;
using TokenBroker.IntegrationTests.Infrastructure;
using TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

namespace TokenBroker.Benchmarks.Startup;

/// <summary>
/// Starts one new instance of a variant, times its first token and its warm hits, and stops it. The host and the bare
/// endpoint are child processes polled on loopback until they answer; the worker starts under the stand-in Functions host,
/// which routes requests only once the worker has completed the host's handshake, as Azure's front end does.
/// </summary>
internal sealed class InstanceLauncher(IReadOnlyDictionary<string, string?> settings, string bodyFile)
{
    private const int UntimedWarmHits = 10;
    private const int TimedWarmHits = 50;
    private const int MaxFirstFailures = 100;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    private static readonly ConsoleWarnings Warnings = new();

    private readonly string _functionKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    /// <param name="variant">What to start.</param>
    /// <param name="round">The round, for the sample.</param>
    /// <param name="environment">Extra environment variables (a start-up trace).</param>
    /// <param name="graceful">Stop with SIGTERM and wait, so the runtime can finish writing a trace; otherwise kill.</param>
    public Task<StartupSample> MeasureAsync(StartupVariant variant, int round, IReadOnlyDictionary<string, string>? environment = null, bool graceful = false) =>
        variant.Kind is StartupKind.Worker or StartupKind.BareWorker
            ? MeasureWorkerAsync(variant, round, environment ?? new Dictionary<string, string>())
            : MeasureProcessAsync(variant, round, environment ?? new Dictionary<string, string>(), graceful);

    private async Task<StartupSample> MeasureProcessAsync(StartupVariant variant, int round, IReadOnlyDictionary<string, string> environment, bool graceful)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        // A self-contained host starts by its own executable, as its container's entry point does; the rest through dotnet.
        var start = new ProcessStartInfo(variant.SelfContained ? Path.Combine(variant.Directory, "TokenBroker.Host") : "dotnet")
        {
            WorkingDirectory = variant.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments = variant.Kind == StartupKind.Bare
            ? [Path.Combine(variant.Directory, "TokenBroker.Benchmarks.dll"), "bare", "--body-file", bodyFile, "--urls", url.AbsoluteUri, "--environment", "Development"]
            : variant.SelfContained
                ? ["--urls", url.AbsoluteUri]
                : [Path.Combine(variant.Directory, "TokenBroker.Host.dll"), "--urls", url.AbsoluteUri];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        if (variant.Kind == StartupKind.Host)
        {
            foreach (var (key, value) in settings)
            {
                start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        foreach (var (key, value) in Common(environment))
        {
            start.Environment[key] = value;
        }

        var output = new ConcurrentQueue<string>();
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = url, Timeout = StartTimeout };
            var first = await FirstResponseAsync(http, process, output);
            var cpu = process.TotalProcessorTime.TotalMilliseconds;
            var warm = await WarmHitAsync(http, null);
            return new StartupSample(variant.Name, round, Milliseconds(started, first.Received), Milliseconds(first.Sent, first.Received), warm, cpu);
        }
        finally
        {
            await StopAsync(process, graceful);
        }
    }

    private async Task<StartupSample> MeasureWorkerAsync(StartupVariant variant, int round, IReadOnlyDictionary<string, string> environment)
    {
        WorkerProcess.AppDirectory = variant.Directory;
        var appSettings = new Dictionary<string, string?>(settings, StringComparer.Ordinal) { ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development" };
        if (variant.Kind == StartupKind.BareWorker)
        {
            appSettings["BareWorker:BodyFile"] = bodyFile;
        }

        foreach (var (key, value) in Common(environment))
        {
            appSettings[key] = value;
        }

        var host = await FunctionsHost.StartAsync(appSettings, Warnings, _functionKey, StartTimeout);
        try
        {
            // Time to first token runs to the first 200. The stand-in retries a forward the worker's listener refused, as Azure's
            // host does, so a failure here is a real one; it is still retried every 50 ms, reported and counted.
            var failures = 0;
            long sent;
            while (true)
            {
                sent = Stopwatch.GetTimestamp();
                try
                {
                    await SendAsync(host.Client, _functionKey, expectToken: true);
                    break;
                }
                catch (InvalidOperationException ex) when (++failures < MaxFirstFailures)
                {
                    var output = host.Worker.Output;
                    Console.WriteLine($"    {variant.Name}: the first request failed ({ex.Message}); asking again. The worker wrote:\n{output[Math.Max(0, output.Length - 3000)..]}");
                    await Task.Delay(TimeSpan.FromMilliseconds(50));
                }
            }

            var received = Stopwatch.GetTimestamp();
            var cpu = host.Worker.TotalProcessorTime.TotalMilliseconds;
            var warm = await WarmHitAsync(host.Client, _functionKey);
            return new StartupSample(variant.Name, round, Milliseconds(host.Worker.StartTimestamp, received), Milliseconds(sent, received), warm, cpu, failures, host.ForwardRetries);
        }
        finally
        {
            // The stand-in asks the worker to stop, as the host does, and waits for it: a trace is complete afterwards.
            await host.DisposeAsync();
        }
    }

    // Both servers run with the standalone host's GC (server GC, its SDK's default), as bench/run.sh runs them under wrk.
    private static Dictionary<string, string> Common(IReadOnlyDictionary<string, string> environment) =>
        new(environment, StringComparer.Ordinal) { ["DOTNET_gcServer"] = "1" };

    // Connection refused until the server listens: try again every few milliseconds. Anything else is an answer.
    private static async Task<(long Sent, long Received)> FirstResponseAsync(HttpClient http, Process process, ConcurrentQueue<string> output)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var sent = Stopwatch.GetTimestamp();
            try
            {
                await SendAsync(http, null, expectToken: true);
                return (sent, Stopwatch.GetTimestamp());
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError && Stopwatch.GetTimestamp() < deadline)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"The process exited with code {process.ExitCode} before it answered:\n{string.Join('\n', output)}", ex);
                }

                await Task.Delay(PollInterval);
            }
        }
    }

    private static async Task<double> WarmHitAsync(HttpClient http, string? functionKey)
    {
        for (var i = 0; i < UntimedWarmHits; i++)
        {
            await SendAsync(http, functionKey, expectToken: true);
        }

        var latencies = new double[TimedWarmHits];
        for (var i = 0; i < TimedWarmHits; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            await SendAsync(http, functionKey, expectToken: true);
            latencies[i] = Milliseconds(sent, Stopwatch.GetTimestamp());
        }

        return Percentile.Median(latencies);
    }

    // A caller asking for the connection's default scopes: a POST with an empty body, read to its end.
    private static async Task SendAsync(HttpClient http, string? functionKey, bool expectToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/token/{StartupRun.Connection}") { Content = new ByteArrayContent([]) };
        if (functionKey is not null)
        {
            request.Headers.Add("x-functions-key", functionKey);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || (expectToken && !body.Contains("\"access_token\"", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"Expected a token, got HTTP {(int)response.StatusCode}: {body[..Math.Min(body.Length, 400)]}");
        }
    }

    private static async Task StopAsync(Process process, bool graceful)
    {
        if (process.HasExited)
        {
            return;
        }

        if (graceful)
        {
            using var signal = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(grace.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                // Fall through to the kill.
            }
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    private static void Keep(ConcurrentQueue<string> output, string? line)
    {
        if (line is not null && output.Count < 2000)
        {
            output.Enqueue(line);
        }
    }

    private static double Milliseconds(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
