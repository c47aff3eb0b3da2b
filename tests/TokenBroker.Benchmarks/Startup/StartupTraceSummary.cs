namespace TokenBroker.Benchmarks.Startup;

/// <summary>What one traced start spent its time on, up to the end of the first request.</summary>
/// <param name="Variant">The variant traced.</param>
/// <param name="TimeToFirstResponseMilliseconds">The traced start's time to first token (tracing slows it: compare traces with traces).</param>
/// <param name="FirstResponseAtMilliseconds">When the first request ended, from the runtime's start (the trace's origin); 0 when the trace has no request events.</param>
/// <param name="MethodsJitted">Methods compiled by the JIT before then.</param>
/// <param name="JitMilliseconds">Their compile time, added up over every thread.</param>
/// <param name="AssembliesLoaded">Assemblies loaded before then.</param>
/// <param name="ByAssembly">Where the JIT spent its time, by the assembly of the compiled methods, largest first.</param>
/// <param name="Milestones">When a few telling assemblies loaded and the first request started and ended.</param>
/// <param name="MethodsJittedInFirstRequest">Of <paramref name="MethodsJitted"/>, those compiled while the first request ran: the caller's share of the JIT, which a warm-up at start-up takes off its path; unlike the request's time, the load does not change it.</param>
internal sealed record StartupTraceSummary(
    string Variant,
    double TimeToFirstResponseMilliseconds,
    double FirstResponseAtMilliseconds,
    int MethodsJitted,
    double JitMilliseconds,
    int AssembliesLoaded,
    IReadOnlyList<JitShare> ByAssembly,
    IReadOnlyList<Milestone> Milestones,
    int MethodsJittedInFirstRequest);

/// <summary>JIT work for the methods of one assembly.</summary>
internal sealed record JitShare(string Assembly, int Methods, double Milliseconds);

/// <summary>Something that happened at a point of a traced start, in milliseconds from the runtime's start.</summary>
internal sealed record Milestone(string What, double AtMilliseconds);
