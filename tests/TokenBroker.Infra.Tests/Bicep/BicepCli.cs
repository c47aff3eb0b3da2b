using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace TokenBroker.Infra.Tests.Bicep;

/// <summary>The Bicep CLI from the restored NuGet package Azure.Bicep.CommandLine.linux-x64.</summary>
internal sealed class BicepCli(string executablePath)
{
    private const string PackageId = "azure.bicep.commandline.linux-x64";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    // Each run is a .NET process that compiles every module; a dozen at once on a shared two-core machine starve each
    // other past any timeout, so they take turns a few at a time.
    private static readonly SemaphoreSlim Slots = new(Math.Clamp(Environment.ProcessorCount, 2, 4));

    public string ExecutablePath { get; } = executablePath;

    /// <summary>
    /// The path the build recorded (the package's GeneratePathProperty), else the newest version in the
    /// NuGet packages folder. NuGet extracts the binary without its executable bit, so it is set here.
    /// </summary>
    public static BicepCli Locate()
    {
        var candidates = new List<string>();
        if (Metadata("BicepCliPath") is { Length: > 0 } recorded && !recorded.StartsWith("/tools/", StringComparison.Ordinal))
        {
            candidates.Add(recorded);
        }

        var packagesRoots = new[]
        {
            Environment.GetEnvironmentVariable("NUGET_PACKAGES"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        };
        foreach (var root in packagesRoots.Where(r => !string.IsNullOrEmpty(r)))
        {
            var packageDirectory = Path.Combine(root!, PackageId);
            if (Directory.Exists(packageDirectory))
            {
                candidates.AddRange(Directory.GetDirectories(packageDirectory)
                    .OrderByDescending(d => Version.TryParse(Path.GetFileName(d), out var v) ? v : new Version(0, 0))
                    .Select(d => Path.Combine(d, "tools", "bicep")));
            }
        }

        var path = candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"The Bicep CLI was not found (looked at: {string.Join(", ", candidates)}). Run `dotnet restore` on this project.");

        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            var mode = File.GetUnixFileMode(path);
            if ((mode & execute) != execute)
            {
                File.SetUnixFileMode(path, mode | execute);
            }
        }

        return new BicepCli(path);
    }

    public static string? Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    public async Task<BicepRun> RunAsync(string workingDirectory, params string[] arguments)
    {
        await Slots.WaitAsync();
        try
        {
            return await RunNowAsync(workingDirectory, arguments);
        }
        finally
        {
            Slots.Release();
        }
    }

    private async Task<BicepRun> RunNowAsync(string workingDirectory, string[] arguments)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // main.bicepparam reads AZURE_ENV_NAME; a developer's azd environment must not change what tests see.
        start.Environment.Remove("AZURE_ENV_NAME");
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("TOKENBROKER_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(variable);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        using var timeout = new CancellationTokenSource(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"bicep {string.Join(' ', arguments)} ran longer than {Timeout}."));
        }

        return new BicepRun(string.Join(' ', arguments), process.ExitCode, await stdout, await stderr);
    }
}
