namespace TokenBroker.Benchmarks.Startup;

/// <summary>What <c>startup</c> measured: each variant's medians over the rounds, and every sample.</summary>
/// <param name="Rounds">Counted rounds (after one untimed warm-up round).</param>
/// <param name="TokenRequestsDuringRounds">Token requests the authorization server received while new instances started: 0 proves every first token came from the table.</param>
/// <param name="Variants">Each variant's medians.</param>
/// <param name="Samples">Every counted sample.</param>
/// <param name="Traces">What an EventPipe trace of one start of each traced variant found, when traces were asked for.</param>
/// <param name="FailedStarts">Starts that gave no token, by variant (warm-up round included).</param>
internal sealed record StartupResult(
    int Rounds,
    int TokenRequestsDuringRounds,
    IReadOnlyList<StartupVariantResult> Variants,
    IReadOnlyList<StartupSample> Samples,
    IReadOnlyList<StartupTraceSummary> Traces,
    IReadOnlyDictionary<string, int> FailedStarts)
{
    public StartupVariantResult? Find(string name) => Variants.SingleOrDefault(v => v.Name == name);
}

/// <summary>One variant's medians over the rounds.</summary>
internal sealed record StartupVariantResult(
    string Name,
    StartupKind Kind,
    bool ReadyToRun,
    double TimeToFirstResponseMilliseconds,
    double FirstRequestMilliseconds,
    double WarmHitMilliseconds,
    double CpuMilliseconds)
{
    /// <summary>Self-contained, the app and the runtime as one composite ReadyToRun image: the container's publish.</summary>
    public bool SelfContained { get; init; }

    /// <summary>How many times a warm hit the first request on a new instance takes.</summary>
    public double FirstRequestRatio => FirstRequestMilliseconds / WarmHitMilliseconds;
}
