using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text.Json;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using TokenBroker.Benchmarks.Reporting;

namespace TokenBroker.Benchmarks.Profiling;

/// <summary>
/// <c>allocations --pid PID --url URL [--requests N] [--top N] [--out FILE]</c>: what a server allocates per request. Attaches to
/// the process over EventPipe (as dotnet-trace does), sends a fixed number of requests itself, and adds up the runtime's
/// allocation ticks by type. Unlike throughput on a shared 2-core machine, this figure barely moves from run to run.
/// </summary>
internal static class AllocationProfile
{
    private const long GcKeyword = 0x1;
    private const int Concurrency = 8;

    public static async Task<int> RunAsync(string[] args)
    {
        var pid = int.Parse(Arguments.RequiredOption(args, "--pid"), CultureInfo.InvariantCulture);
        var url = new Uri(Arguments.RequiredOption(args, "--url"));
        var requests = int.Parse(Arguments.Option(args, "--requests") ?? "20000", CultureInfo.InvariantCulture);
        var top = int.Parse(Arguments.Option(args, "--top") ?? "12", CultureInfo.InvariantCulture);

        using var http = new HttpClient();
        await SendAsync(http, url, 1000);

        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        var client = new DiagnosticsClient(pid);
        using (var session = client.StartEventPipeSession(
            new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Verbose, GcKeyword), requestRundown: false))
        {
            using var source = new EventPipeEventSource(session.EventStream);
            source.Clr.GCAllocationTick += tick =>
            {
                var type = tick.TypeName ?? "(unknown)";
                byType[type] = byType.GetValueOrDefault(type) + tick.AllocationAmount64;
            };
            var processing = Task.Run(source.Process);
            await SendAsync(http, url, requests);
            await session.StopAsync(CancellationToken.None);
            await processing;
        }

        var total = byType.Values.Sum();
        var profile = new AllocationProfileResult(
            url.ToString(),
            requests,
            (double)total / requests,
            [.. byType.OrderByDescending(pair => pair.Value).Take(top).Select(pair => new AllocatedType(pair.Key, (double)pair.Value / requests))]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{url}: {profile.BytesPerRequest:N0} B allocated per request over {requests:N0} requests (sampled every ~100 KB)"));
        foreach (var type in profile.TopTypes)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {type.BytesPerRequest,8:N0} B  {type.Type}"));
        }

        var output = Arguments.Option(args, "--out");
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, JsonSerializer.Serialize(profile, InProcessRun.Json));
        }

        return 0;
    }

    // A few loops in parallel, each request as wrk sends it: a POST with an empty body.
    private static async Task SendAsync(HttpClient http, Uri url, int requests)
    {
        var remaining = requests;
        var loops = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                using var content = new ByteArrayContent([]);
                using var response = await http.PostAsync(url, content);
                response.EnsureSuccessStatusCode();
                await response.Content.CopyToAsync(Stream.Null);
            }
        });
        await Task.WhenAll(loops);
    }
}
