using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TokenBroker.Benchmarks.Reporting;

namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>
/// <c>fleet-cost --storage CONNECTION-STRING [--connections 10000] [--instances 1,3] [--out FILE]</c>: what a connection
/// costs as the fleet grows. The steady-state simulation with many connections, once per fleet size, each on a fresh
/// table: Table Storage transactions, Key Vault reads and token requests, counted per instance, and the refresh job's
/// run time per run.
/// </summary>
internal static class FleetCost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var storage = Arguments.RequiredOption(args, "--storage");
        var connections = int.Parse(Arguments.Option(args, "--connections") ?? "10000", CultureInfo.InvariantCulture);
        var fleets = (Arguments.Option(args, "--instances") ?? "1,3").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();

        var runs = new List<SteadyStateResult>();
        foreach (var instances in fleets)
        {
            Console.WriteLine(Invariant($"==> fleet cost: {connections:N0} connections on {instances} instance(s), 10 simulated minutes"));
            var started = Stopwatch.GetTimestamp();
            var run = await SteadyStateSimulation.MeasureAsync(storage, instances, connections);
            runs.Add(run);
            var table = run.TableTransactionsAfterWarmUp!;
            var jobs = run.JobRuns.Select(j => j.Milliseconds).ToArray();
            Console.WriteLine(Invariant($"    {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s: after warm-up {table.Total:N0} table transactions (reads {table.EntityReads:N0}, queries {table.Queries:N0} of which eviction watches {table.Watches:N0}, inserts {table.Inserts:N0}, updates {table.Updates:N0} of which marks {table.Marks:N0}, deletes {table.Deletes:N0}), {run.KeyVaultReadsAfterWarmUp:N0} Key Vault reads, {run.TokenRequestsAfterWarmUp:N0} token requests; whole run {run.TableTransactions!.Total:N0} transactions, {run.KeyVaultReads:N0} Key Vault reads, {run.TokenRequests:N0} token requests; {run.RequestsThatWaited:N0} waits after warm-up"));
            Console.WriteLine(Invariant($"    table after warm-up by kind and status: {string.Join(", ", run.TableAnswersAfterWarmUp.Select(a => $"{a.Key}: {a.Value:N0}"))}"));
            Console.WriteLine(Invariant($"    refresh job runs (ms): {string.Join(", ", jobs.Select(ms => ms.ToString("N0", CultureInfo.InvariantCulture)))}"));
            Console.WriteLine(Invariant($"    credential inventory: {run.InventoryRows:N0} connections read in the whole run, {run.TableTransactions.Inventory:N0} table transactions (run row, age queries, entity-group transactions)"));
        }

        var result = new FleetCostResult(connections, runs);
        var json = JsonSerializer.Serialize(result, InProcessRun.Json);
        if (Arguments.Option(args, "--out") is { } output)
        {
            await File.WriteAllTextAsync(output, json);
        }
        else
        {
            Console.WriteLine(json);
        }

        return 0;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
