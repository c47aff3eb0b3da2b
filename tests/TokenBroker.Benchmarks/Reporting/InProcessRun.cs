using System.Runtime.InteropServices;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using TokenBroker.Benchmarks.CacheHit;
using TokenBroker.Benchmarks.ClientHandler;
using TokenBroker.Benchmarks.ColdBurst;
using TokenBroker.Benchmarks.Memory;
using TokenBroker.Benchmarks.SteadyState;

namespace TokenBroker.Benchmarks.Reporting;

/// <summary>
/// <c>in-process --out FILE [--job short|medium|default] [--storage CONNECTION-STRING]</c>: the cache-hit and client-handler
/// benchmarks (BenchmarkDotNet, in this process so the run needs no second build), the memory footprint, the cold-burst count and,
/// given a Table Storage (Azurite), the steady state under simulated time, written as one JSON document.
/// </summary>
internal static class InProcessRun
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    // As many instances as the cold burst's hosts: the fleet the figures are about.
    private const int FleetInstances = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var output = Arguments.RequiredOption(args, "--out");
        var jobName = Arguments.Option(args, "--job") ?? "short";
        var storage = Arguments.Option(args, "--storage");
        var job = jobName switch
        {
            "short" => Job.ShortRun,
            "medium" => Job.MediumRun,
            "default" => Job.Default,
            _ => throw new ArgumentException($"Unknown job '{jobName}': use short, medium or default."),
        };

        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job.WithToolchain(InProcessEmitToolchain.Instance).WithId($"{jobName}-in-process"))
            .WithArtifactsPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, "BenchmarkDotNet.Artifacts"));
        var summary = BenchmarkRunner.Run<CacheHitBenchmarks>(config);
        if (summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success))
        {
            await Console.Error.WriteLineAsync("The cache-hit benchmarks did not run; see the BenchmarkDotNet log above.");
            return 1;
        }

        var cacheHit = Figures(summary);

        var clientSummary = BenchmarkRunner.Run<ClientHandlerBenchmarks>(config);
        if (clientSummary.HasCriticalValidationErrors || clientSummary.Reports.Any(report => !report.Success))
        {
            await Console.Error.WriteLineAsync("The client-handler benchmarks did not run; see the BenchmarkDotNet log above.");
            return 1;
        }

        var clientHandler = Figures(clientSummary);

        Console.WriteLine("==> memory footprint");
        var memory = MemoryFootprint.Measure();
        Console.WriteLine(JsonSerializer.Serialize(memory, Json));

        Console.WriteLine("==> cold burst in one process");
        var coldBurst = await ColdBurstComparison.MeasureAsync();
        Console.WriteLine(JsonSerializer.Serialize(coldBurst, Json));

        SteadyStateResult? steadyState = null;
        SteadyStateResult? steadyStateFleet = null;
        if (storage is null)
        {
            Console.WriteLine("==> steady state: skipped (it needs a Table Storage: --storage CONNECTION-STRING)");
        }
        else
        {
            Console.WriteLine("==> steady state under simulated time, one broker core");
            steadyState = await SteadyStateSimulation.MeasureAsync(storage);
            Console.WriteLine(JsonSerializer.Serialize(steadyState, Json));
            Console.WriteLine($"==> steady state under simulated time, {FleetInstances} broker cores sharing the table");
            steadyStateFleet = await SteadyStateSimulation.MeasureAsync(storage, FleetInstances);
            Console.WriteLine(JsonSerializer.Serialize(steadyStateFleet, Json));
        }

        var result = new InProcessSummary(
            DateTimeOffset.UtcNow,
            $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}",
            $"{jobName} (in-process)",
            cacheHit,
            memory,
            coldBurst,
            steadyState,
            steadyStateFleet,
            clientHandler);
        await File.WriteAllTextAsync(output, JsonSerializer.Serialize(result, Json));
        Console.WriteLine($"==> wrote {output}");
        return 0;
    }

    private static List<BenchmarkFigure> Figures(Summary summary) =>
        [.. summary.Reports.Select(report => new BenchmarkFigure(
            report.BenchmarkCase.Descriptor.WorkloadMethod.Name,
            report.ResultStatistics!.Mean,
            report.ResultStatistics.Median,
            report.ResultStatistics.StandardDeviation,
            report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? -1))];
}
