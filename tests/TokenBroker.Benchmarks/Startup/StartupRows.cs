using System.Globalization;
using TokenBroker.Benchmarks.Reporting;

namespace TokenBroker.Benchmarks.Startup;

/// <summary>
/// The report's rows for issue 17, item 2: each new instance's time to first token against the bare app's time to first
/// response (judged for what ships: the Functions app's ReadyToRun publish, the standalone host's container publish when
/// measured; shown for the others), what ReadyToRun and the container's composite image give, and the first request
/// against a warm hit; and, when the bare worker ran, the Functions worker SDK's own floor against the bare app and the
/// broker's worker against that floor.
/// </summary>
internal static class StartupRows
{
    public const double Target = 1.5;

    public static IEnumerable<ReportRow> Rows(StartupResult? startup)
    {
        if (startup?.Find("bare") is not { } bare)
        {
            yield return new ReportRow(
                "17.2 time to first token", "not measured", Invariant($"<= {Target:N1}x bare"), ReportRow.Pending,
                "17.2 is measured by the startup sub-command (bench/run.sh passes its file as --startup).");
            yield break;
        }

        // A first token that was not in the table measured a cold fetch, not a new instance: reported, never judged.
        var valid = startup.TokenRequestsDuringRounds == 0;
        var invalid = valid ? string.Empty : Invariant($" [{startup.TokenRequestsDuringRounds} token requests: not from the table]");
        // The standalone host ships as its container: once that publish is measured, the framework-dependent one is context.
        var containerMeasured = startup.Variants.Any(v => v.Kind == StartupKind.Host && v.SelfContained);
        bool Ships(StartupVariantResult variant) =>
            variant.ReadyToRun && (variant.Kind != StartupKind.Host || variant.SelfContained || !containerMeasured);

        foreach (var variant in startup.Variants.Where(v => v.Kind is StartupKind.Host or StartupKind.Worker))
        {
            var ratio = variant.TimeToFirstResponseMilliseconds / bare.TimeToFirstResponseMilliseconds;
            yield return new ReportRow(
                Invariant($"17.2 first token, {Label(variant)}"),
                Invariant($"{ratio:N2}x bare ({variant.TimeToFirstResponseMilliseconds:N0} vs {bare.TimeToFirstResponseMilliseconds:N0} ms){invalid}"),
                Invariant($"<= {Target:N1}x"),
                !valid ? ReportRow.Invalid : Ships(variant) ? ReportRow.Verdict(ratio <= Target) : ReportRow.Info);
        }

        // The CPU a start took is the work the broker adds, which a busy machine stretches in time but barely changes: the
        // figure to compare changes by when the wall-clock ratios are noise.
        foreach (var variant in startup.Variants.Where(v => v.Kind is StartupKind.Host or StartupKind.Worker))
        {
            yield return new ReportRow(
                Invariant($"     CPU to first token, {Label(variant)}"),
                Invariant($"{variant.CpuMilliseconds / bare.CpuMilliseconds:N2}x bare ({variant.CpuMilliseconds:N0} vs {bare.CpuMilliseconds:N0} ms of CPU)"),
                "-",
                ReportRow.Info);
        }

        // The worker's yardstick: how much of the broker worker's ratio is the Functions worker SDK's own floor, and how much
        // the broker adds over that floor. Info only: the target stays the broker's worker against the bare app.
        if (startup.Variants.SingleOrDefault(v => v.Kind == StartupKind.BareWorker) is { } bareWorker)
        {
            yield return new ReportRow(
                "17.2 bare worker (the SDK's floor) vs bare app",
                Invariant($"{bareWorker.TimeToFirstResponseMilliseconds / bare.TimeToFirstResponseMilliseconds:N2}x bare ({bareWorker.TimeToFirstResponseMilliseconds:N0} vs {bare.TimeToFirstResponseMilliseconds:N0} ms); CPU {bareWorker.CpuMilliseconds / bare.CpuMilliseconds:N2}x ({bareWorker.CpuMilliseconds:N0} vs {bare.CpuMilliseconds:N0} ms)"),
                "-",
                ReportRow.Info);
            foreach (var worker in startup.Variants.Where(v => v.Kind == StartupKind.Worker && v.ReadyToRun))
            {
                yield return new ReportRow(
                    Invariant($"     {Label(worker)} vs bare worker"),
                    Invariant($"{worker.TimeToFirstResponseMilliseconds / bareWorker.TimeToFirstResponseMilliseconds:N2}x ({worker.TimeToFirstResponseMilliseconds:N0} vs {bareWorker.TimeToFirstResponseMilliseconds:N0} ms); CPU {worker.CpuMilliseconds / bareWorker.CpuMilliseconds:N2}x ({worker.CpuMilliseconds:N0} vs {bareWorker.CpuMilliseconds:N0} ms)"),
                    "-",
                    ReportRow.Info);
            }
        }

        foreach (var (name, count) in startup.FailedStarts)
        {
            yield return new ReportRow(
                Invariant($"17.2 first token, {name}"),
                Invariant($"{count} start(s) gave no token (see startup.log)"),
                Invariant($"<= {Target:N1}x"),
                ReportRow.Invalid);
        }

        foreach (var kind in new[] { StartupKind.Host, StartupKind.Worker })
        {
            var jit = startup.Variants.SingleOrDefault(v => v.Kind == kind && !v.ReadyToRun);
            var r2r = startup.Variants.SingleOrDefault(v => v.Kind == kind && v.ReadyToRun && !v.SelfContained);
            if (jit is not null && r2r is not null)
            {
                yield return Sooner(Invariant($"     ReadyToRun, {Name(kind)}"), r2r, jit, "without", string.Empty);
            }
        }

        if (startup.Variants.SingleOrDefault(v => v.Kind == StartupKind.Host && v.ReadyToRun && !v.SelfContained) is { } framework
            && startup.Variants.SingleOrDefault(v => v.Kind == StartupKind.Host && v.SelfContained) is { } container)
        {
            yield return Sooner(
                "     container's composite image, standalone host",
                container,
                framework,
                "framework-dependent ReadyToRun",
                Invariant($"; CPU {container.CpuMilliseconds:N0} vs {framework.CpuMilliseconds:N0} ms"));
        }

        // Azure's host retries a forward the worker's listener refused (10 attempts, 50 to 250 ms apart); so does the stand-in,
        // and that wait is inside the worker's figure. A request that still failed is a start that gave no token.
        var workerSamples = startup.Samples.Where(s => startup.Variants.Any(v => v.Name == s.Variant && v.Kind == StartupKind.Worker)).ToList();
        if (workerSamples.Count > 0)
        {
            var failedRequests = workerSamples.Sum(s => s.FailedFirstRequests);
            yield return new ReportRow(
                "     worker's listener not yet accepting",
                Invariant($"{workerSamples.Sum(s => s.ForwardRetries)} forwards retried by the stand-in host in {workerSamples.Count} starts; {failedRequests} first requests failed"),
                "0 failed",
                failedRequests == 0 ? ReportRow.Info : ReportRow.Invalid);
        }

        foreach (var variant in startup.Variants.Where(v => v.Kind != StartupKind.Bare && v.ReadyToRun))
        {
            yield return new ReportRow(
                Invariant($"     first request, {Label(variant)}"),
                Invariant($"{variant.FirstRequestRatio:N1}x a warm hit ({variant.FirstRequestMilliseconds:N1} vs {variant.WarmHitMilliseconds:N2} ms)"),
                "-",
                ReportRow.Info);
        }
    }

    // How much sooner one publish of an app gave its first token than another: "{faster} vs {slower} ms {against}: ...".
    private static ReportRow Sooner(string figure, StartupVariantResult faster, StartupVariantResult slower, string against, string more)
    {
        var saved = slower.TimeToFirstResponseMilliseconds - faster.TimeToFirstResponseMilliseconds;
        return new ReportRow(
            figure,
            Invariant($"{faster.TimeToFirstResponseMilliseconds:N0} vs {slower.TimeToFirstResponseMilliseconds:N0} ms {against}: {saved:N0} ms ({saved / slower.TimeToFirstResponseMilliseconds:P0}) sooner{more}"),
            "-",
            ReportRow.Info);
    }

    private static string Label(StartupVariantResult variant) =>
        $"{Name(variant.Kind)}{(variant.SelfContained ? " (container: self-contained, composite R2R)" : variant.ReadyToRun ? " (R2R)" : " (JIT)")}";

    private static string Name(StartupKind kind) => kind switch
    {
        StartupKind.Worker => "Functions worker",
        StartupKind.BareWorker => "bare worker",
        _ => "standalone host",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
