namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>What <c>fleet-cost</c> measured: one steady-state run per fleet size, all with the same connections.</summary>
/// <param name="Connections">Connections in every run (the issue: 10,000).</param>
/// <param name="Runs">One run per fleet size, smallest first.</param>
internal sealed record FleetCostResult(int Connections, IReadOnlyList<SteadyStateResult> Runs);
