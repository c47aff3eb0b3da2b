using TokenBroker.Benchmarks.ColdBurst;
using TokenBroker.Benchmarks.Memory;
using TokenBroker.Benchmarks.SteadyState;

namespace TokenBroker.Benchmarks.Reporting;

/// <summary>What <c>in-process</c> measured, as written to its JSON file.</summary>
/// <param name="MeasuredOn">When the run finished.</param>
/// <param name="Machine">Processor count, OS and runtime.</param>
/// <param name="Job">The BenchmarkDotNet job the cache-hit benchmarks ran under.</param>
/// <param name="CacheHit">One entry per cache-hit benchmark.</param>
/// <param name="Memory">Bytes per cached token.</param>
/// <param name="ColdBurst">Token requests for one burst of concurrent cold callers.</param>
/// <param name="SteadyState">Issue item 4, one broker core; null when the run had no Table Storage to measure it against.</param>
/// <param name="SteadyStateFleet">The same with three broker cores sharing the table, each receiving every request.</param>
/// <param name="ClientHandler">Issue 17, item 3: the client library's handler against a pass-through, one entry per benchmark.</param>
internal sealed record InProcessSummary(
    DateTimeOffset MeasuredOn,
    string Machine,
    string Job,
    IReadOnlyList<BenchmarkFigure> CacheHit,
    MemoryFootprintResult Memory,
    ColdBurstResult ColdBurst,
    SteadyStateResult? SteadyState = null,
    SteadyStateResult? SteadyStateFleet = null,
    IReadOnlyList<BenchmarkFigure>? ClientHandler = null);
