using System.Reflection;
using BenchmarkDotNet.Running;
using TokenBroker.Benchmarks.Bare;
using TokenBroker.Benchmarks.ColdBurst;
using TokenBroker.Benchmarks.Profiling;
using TokenBroker.Benchmarks.Reporting;
using TokenBroker.Benchmarks.Startup;
using TokenBroker.Benchmarks.SteadyState;

// in-process: the quick run bench/run.sh uses; bare: the yardstick endpoint; allocations: bytes a running server allocates
// per request; cold-burst: cold callers over three hosts sharing a table; steady-state: simulated time alone (in-process
// includes it); fleet-cost: what a connection costs on 1 and 3 instances; startup: a new instance's time to first
// token; report: the table. Anything else goes to BenchmarkDotNet's own command line (for example
// `--filter '*CacheHit*' --job short`), which builds and runs each benchmark in a process of its own.
return args.FirstOrDefault() switch
{
    "in-process" => await InProcessRun.RunAsync(args[1..]),
    "bare" => await BareEndpoint.RunAsync(args[1..]),
    "report" => await Report.RunAsync(args[1..]),
    "allocations" => await AllocationProfile.RunAsync(args[1..]),
    "cold-burst" => await CrossInstanceColdBurst.RunAsync(args[1..]),
    "steady-state" => await SteadyStateSimulation.RunAsync(args[1..]),
    "fleet-cost" => await FleetCost.RunAsync(args[1..]),
    "startup" => await StartupRun.RunAsync(args[1..]),
    _ => BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args)
        .Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success)) ? 1 : 0,
};
