using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace TokenBroker.Benchmarks.Startup;

/// <summary>
/// One more start of a variant with the runtime's start-up trace on (EventPipe to a file, configured by environment
/// variables, so the trace begins with the runtime): JIT and loader events, and ASP.NET Core's request events to know
/// when the first request ended. Says what a new instance spends its time on before its first token.
/// </summary>
internal static class StartupTrace
{
    // Loader (0x8) and JIT (0x10) keywords at verbose level: every method compiled, with its start and end; every assembly.
    // Then the phases of a start: the web host's start (ASP.NET Core hosting's HostStart, once the container is built and
    // the hosted services before it started), the listener's first accepted connection (Kestrel), the first request, and
    // the first outgoing HTTP calls (the table; the worker's gRPC stream to the Functions host).
    private const string Providers = "Microsoft-Windows-DotNETRuntime:0x18:5,Microsoft.AspNetCore.Hosting:0xFFFFFFFF:4,"
        + "Microsoft-AspNetCore-Server-Kestrel:0xFFFFFFFF:4,System.Net.Http:0xFFFFFFFF:4";

    private static readonly string[] TellingAssemblies =
    [
        "TokenBroker.Host", "TokenBroker.Functions", "TokenBroker", "Microsoft.Azure.Functions.Worker.Grpc", "Grpc.Net.Client",
        "Microsoft.AspNetCore.Server.Kestrel.Core", "Azure.Core", "Azure.Data.Tables", "OpenTelemetry", "Polly.Core",

        // When these load tells what the start builds: Graph and the queue SDK are never needed for a first token; MSAL,
        // Azure.Identity and the Key Vault SDK only where the credential is used (in Azure, at once, for the cache key).
        "Microsoft.Graph", "Microsoft.Graph.Core", "Microsoft.Kiota.Abstractions", "Microsoft.Identity.Client", "Azure.Identity",
        "Azure.Security.KeyVault.Secrets", "Azure.Storage.Queues",
    ];

    public static async Task<StartupTraceSummary> RunAsync(InstanceLauncher launcher, StartupVariant variant, string directory)
    {
        var file = Path.Combine(directory, $"{variant.Name}.nettrace");
        File.Delete(file);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DOTNET_EnableEventPipe"] = "1",
            ["DOTNET_EventPipeOutputPath"] = file,
            ["DOTNET_EventPipeConfig"] = Providers,
        };
        var sample = await launcher.MeasureAsync(variant, round: -1, environment, graceful: true);
        try
        {
            return Analyze(variant.Name, sample.TimeToFirstResponseMilliseconds, file);
        }
        catch (Exception ex) when (ex is FormatException or EndOfStreamException or IOException)
        {
            // A trace the parser cannot read says nothing reliable: reported, and the other variants' traces and every timed
            // figure stand.
            throw new InvalidOperationException($"the trace {file} is unreadable ({ex.GetType().Name}: {ex.Message})", ex);
        }
    }

    public static StartupTraceSummary Analyze(string variant, double timeToFirst, string file)
    {
        var modules = new Dictionary<long, string>();
        var loads = new List<(string Assembly, double At)>();
        var jitStarts = new Dictionary<(int Thread, long Method), double>();
        var jitted = new List<(string Assembly, double At, double Duration)>();
        double? requestStart = null, requestStop = null;
        var phases = new List<Milestone>();

        using (var source = new EventPipeEventSource(file))
        {
            source.Clr.LoaderModuleLoad += (ModuleLoadUnloadTraceData data) =>
            {
                var name = Path.GetFileNameWithoutExtension(data.ModuleILPath);
                modules[data.ModuleID] = name;
                loads.Add((name, data.TimeStampRelativeMSec));
            };
            source.Clr.MethodJittingStarted += (MethodJittingStartedTraceData data) =>
                jitStarts[(data.ThreadID, data.MethodID)] = data.TimeStampRelativeMSec;
            source.Clr.MethodLoadVerbose += (MethodLoadUnloadVerboseTraceData data) =>
            {
                if (jitStarts.Remove((data.ThreadID, data.MethodID), out var startedAt))
                {
                    jitted.Add((modules.GetValueOrDefault(data.ModuleID, "(dynamic)"), startedAt, data.TimeStampRelativeMSec - startedAt));
                }
            };
            source.Dynamic.All += data =>
            {
                // EventSource events with a Start or Stop opcode are named "Request/Start" by TraceEvent, not "RequestStart".
                var name = data.EventName.Replace("/", string.Empty, StringComparison.Ordinal);
                switch (data.ProviderName, name)
                {
                    case ("Microsoft.AspNetCore.Hosting", "RequestStart"):
                        requestStart ??= data.TimeStampRelativeMSec;
                        break;
                    case ("Microsoft.AspNetCore.Hosting", "RequestStop"):
                        requestStop ??= data.TimeStampRelativeMSec;
                        break;
                    case ("Microsoft.AspNetCore.Hosting", "HostStart"):
                        FirstOnly(phases, "web server starting (container built)", data.TimeStampRelativeMSec);
                        break;
                    case ("Microsoft-AspNetCore-Server-Kestrel", "ConnectionStart"):
                        FirstOnly(phases, "listener accepted its first connection", data.TimeStampRelativeMSec);
                        break;
                    case ("System.Net.Http", "RequestStart"):
                        var path = data.PayloadByName("pathAndQuery") as string ?? string.Empty;
                        FirstOnly(phases, path.Contains("devstoreaccount1", StringComparison.Ordinal) ? "first Table Storage call sent" : $"first outgoing call to {Shorten(path)} sent", data.TimeStampRelativeMSec);
                        break;
                }
            };
            source.Process();
        }

        // Up to the end of the first request: what the shutdown compiles afterwards is not start-up.
        var cutoff = requestStop ?? double.MaxValue;
        var before = jitted.Where(j => j.At <= cutoff).ToList();
        var milestones = TellingAssemblies
            .Select(name => loads.FirstOrDefault(l => l.Assembly == name))
            .Where(l => l.Assembly is not null)
            .Select(l => new Milestone($"{l.Assembly} loaded", l.At))
            .ToList();
        milestones.AddRange(phases.Where(p => p.AtMilliseconds <= cutoff));
        if (requestStart is { } firstStart)
        {
            milestones.Add(new Milestone("first request started", firstStart));
        }

        if (requestStop is { } firstStop)
        {
            milestones.Add(new Milestone("first request ended", firstStop));
        }

        return new StartupTraceSummary(
            variant,
            timeToFirst,
            requestStop ?? 0,
            before.Count,
            before.Sum(j => j.Duration),
            loads.Count(l => l.At <= cutoff),
            [.. before.GroupBy(j => j.Assembly)
                .Select(g => new JitShare(g.Key, g.Count(), g.Sum(j => j.Duration)))
                .OrderByDescending(share => share.Milliseconds)
                .Take(12)],
            [.. milestones.OrderBy(m => m.AtMilliseconds)],
            requestStart is { } started ? before.Count(j => j.At >= started) : 0);
    }

    public static void Print(StartupTraceSummary trace)
    {
        Console.WriteLine(Invariant($"==> trace of {trace.Variant}: first token after {trace.TimeToFirstResponseMilliseconds:N0} ms (traced); by the end of the first request ({trace.FirstResponseAtMilliseconds:N0} ms after the runtime started) the JIT compiled {trace.MethodsJitted:N0} methods in {trace.JitMilliseconds:N0} ms, {trace.AssembliesLoaded} assemblies loaded; {trace.MethodsJittedInFirstRequest:N0} of the methods were compiled while the first request ran"));
        foreach (var share in trace.ByAssembly)
        {
            Console.WriteLine(Invariant($"      JIT {share.Milliseconds,7:N1} ms {share.Methods,6:N0} methods  {share.Assembly}"));
        }

        foreach (var milestone in trace.Milestones)
        {
            Console.WriteLine(Invariant($"      at {milestone.AtMilliseconds,7:N1} ms  {milestone.What}"));
        }
    }

    private static void FirstOnly(List<Milestone> phases, string what, double at)
    {
        if (!phases.Exists(p => p.What == what))
        {
            phases.Add(new Milestone(what, at));
        }
    }

    private static string Shorten(string path) => path.Length <= 40 ? path : path[..40] + "…";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
