using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

/// <summary>
/// The built Functions app (<c>TokenBroker.Functions.dll</c>, or the assembly its <c>worker.config.json</c> names) started
/// the way the Functions host starts a .NET isolated worker: <c>dotnet &lt;assembly&gt;</c> in the app directory, with the
/// host's gRPC address, worker id, request id and maximum message length on the command line (both the legacy and the
/// <c>--functions-*</c> forms, as the host sends them), and the app settings as environment variables. Console output is
/// kept, as the host keeps it for its logs.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Action<string> _onLine;

    private WorkerProcess(Process process, long startTimestamp, Action<string> onLine)
    {
        _process = process;
        StartTimestamp = startTimestamp;
        _onLine = onLine;
        process.OutputDataReceived += (_, e) => Received(e.Data);
        process.ErrorDataReceived += (_, e) => Received(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>
    /// The folder of the built Functions app: the assembly, <c>functions.metadata</c>, <c>host.json</c>, <c>worker.config.json</c>.
    /// The benchmarks point it at a published app (with and without ReadyToRun) before starting a host.
    /// </summary>
    public static string AppDirectory { get; set; } = Path.Combine(
        RepositoryRoot.Path,
        "src",
        "TokenBroker.Functions",
        "bin",
        typeof(WorkerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug",
        "net10.0");

    public bool HasExited => _process.HasExited;

    /// <summary>The <see cref="Stopwatch"/> timestamp taken just before the process was started: where time to first token begins.</summary>
    public long StartTimestamp { get; }

    public int ExitCode => _process.ExitCode;

    /// <summary>The worker's CPU time so far, every thread: what its start cost, however busy the machine.</summary>
    public TimeSpan TotalProcessorTime => _process.TotalProcessorTime;

    /// <summary>Everything the worker wrote to stdout and stderr so far.</summary>
    public string Output => string.Join('\n', _output);

    public Task Exited => _process.WaitForExitAsync();

    public static WorkerProcess Start(Uri hostEndpoint, string workerId, string requestId, IReadOnlyDictionary<string, string?> environment, Action<string> onLine)
    {
        var assembly = Path.Combine(AppDirectory, WorkerPath(AppDirectory));
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException($"The Functions app is not built at {assembly}; build the solution first.");
        }

        var maxMessageLength = int.MaxValue.ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            assembly,
            "--host", hostEndpoint.Host, "--port", hostEndpoint.Port.ToString(CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", maxMessageLength,
            "--functions-uri", hostEndpoint.AbsoluteUri, "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", maxMessageLength,
        })
        {
            start.ArgumentList.Add(argument);
        }

        // The worker sees the app settings and nothing of the test process's own environment that could change its mode.
        foreach (var name in new[] { "DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT", "AZURE_FUNCTIONS_ENVIRONMENT", "ASPNETCORE_URLS", "DOTNET_URLS" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var startTimestamp = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start the worker.");
        return new WorkerProcess(process, startTimestamp, onLine);
    }

    // The host starts the assembly the app's worker.config.json names (description.defaultWorkerPath), so an app other than
    // the broker's (the bench's bare worker) starts the same way.
    private static string WorkerPath(string appDirectory)
    {
        var config = Path.Combine(appDirectory, "worker.config.json");
        if (!File.Exists(config))
        {
            return "TokenBroker.Functions.dll";
        }

        using var json = JsonDocument.Parse(File.ReadAllBytes(config));
        return json.RootElement.GetProperty("description").GetProperty("defaultWorkerPath").GetString()
            ?? throw new InvalidOperationException($"{config} names no defaultWorkerPath.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    /// <summary>Ends the worker at once: what the host does after the grace period, or to a worker that stopped answering.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    private void Received(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
            _onLine(line);
        }
    }
}
