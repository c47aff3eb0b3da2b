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
    private const string Providers = "Microsoft-Windows-DotNETRuntime:0x18:5,Microsoft.AspNetCore.Hosting:0xFFFFFFFF:4";

    private static readonly string[] TellingAssemblies =
    [
        "TokenBroker.Host", "TokenBroker.Functions", "TokenBroker", "Microsoft.Azure.Functions.Worker.Grpc", "Grpc.Net.Client",
        "Microsoft.AspNetCore.Server.Kestrel.Core", "Azure.Core", "Azure.Data.Tables", "OpenTelemetry", "Polly.Core",
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
        return Analyze(variant.Name, sample.TimeToFirstResponseMilliseconds, file);
    }

    public static StartupTraceSummary Analyze(string variant, double timeToFirst, string file)
    {
        var modules = new Dictionary<long, string>();
        var loads = new List<(string Assembly, double At)>();
        var jitStarts = new Dictionary<(int Thread, long Method), double>();
        var jitted = new List<(string Assembly, double At, double Duration)>();
        double? requestStart = null, requestStop = null;

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
                if (data.ProviderName == "Microsoft.AspNetCore.Hosting")
                {
                    if (requestStart is null && data.EventName == "RequestStart")
                    {
                        requestStart = data.TimeStampRelativeMSec;
                    }
                    else if (requestStop is null && data.EventName == "RequestStop")
                    {
                        requestStop = data.TimeStampRelativeMSec;
                    }
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
            [.. milestones.OrderBy(m => m.AtMilliseconds)]);
    }

    public static void Print(StartupTraceSummary trace)
    {
        Console.WriteLine(Invariant($"==> trace of {trace.Variant}: first token after {trace.TimeToFirstResponseMilliseconds:N0} ms (traced); by the end of the first request ({trace.FirstResponseAtMilliseconds:N0} ms after the runtime started) the JIT compiled {trace.MethodsJitted:N0} methods in {trace.JitMilliseconds:N0} ms, {trace.AssembliesLoaded} assemblies loaded"));
        foreach (var share in trace.ByAssembly)
        {
            Console.WriteLine(Invariant($"      JIT {share.Milliseconds,7:N1} ms {share.Methods,6:N0} methods  {share.Assembly}"));
        }

        foreach (var milestone in trace.Milestones)
        {
            Console.WriteLine(Invariant($"      at {milestone.AtMilliseconds,7:N1} ms  {milestone.What}"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
