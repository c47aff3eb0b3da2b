namespace TokenBroker.Benchmarks.Startup;

/// <summary>What a new instance runs: the yardsticks, the standalone host or the Functions worker, from one folder.</summary>
internal enum StartupKind
{
    /// <summary>The bare ASP.NET Core endpoint (<c>bare</c> sub-command): the least a new process can do before answering.</summary>
    Bare,

    /// <summary>The standalone host: <c>dotnet TokenBroker.Host.dll</c>, or its own executable when self-contained.</summary>
    Host,

    /// <summary><c>TokenBroker.Functions.dll</c> under the stand-in Functions host, reached through the host's front end.</summary>
    Worker,

    /// <summary>
    /// <c>TokenBroker.Benchmarks.BareWorker.dll</c>, an isolated worker with one HTTP function and nothing of the broker, under
    /// the same stand-in: the worker's yardstick, what the Functions worker SDK costs before any broker code.
    /// </summary>
    BareWorker,
}

/// <summary>One side of the comparison: a kind of instance and the folder it starts from (a build or a publish output).</summary>
/// <param name="Name">A short id: <c>bare</c>, <c>host</c>, <c>host-r2r</c>, <c>host-container</c>, <c>worker</c>, <c>worker-r2r</c>, <c>bare-worker</c>.</param>
/// <param name="Kind">What starts.</param>
/// <param name="Directory">The folder holding the app's assembly.</param>
/// <param name="ReadyToRun">Whether the app's own assemblies were published with ReadyToRun code.</param>
/// <param name="SelfContained">
/// Whether the folder carries its own runtime, compiled with the app as one composite ReadyToRun image (the container's
/// publish profile); it starts as the container starts it, by its own executable.
/// </param>
internal sealed record StartupVariant(string Name, StartupKind Kind, string Directory, bool ReadyToRun, bool SelfContained = false);
