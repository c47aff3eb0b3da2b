using System.Text.Json;

namespace TokenBroker.Infra.Tests.Bicep;

/// <summary>
/// Runs the Bicep CLI once for the whole test run, on a copy of infra/ and of the test parameter files in
/// a temporary folder (so nothing is written into the repository): `bicep build` of every .bicep file,
/// `bicep build-params` of every .bicepparam file, `bicep lint` of both, and `bicep snapshot` of each
/// parameter file. Tests then read the results.
/// </summary>
public sealed class InfraFixture : IAsyncLifetime
{
    public const string SubscriptionId = "11111111-1111-1111-1111-111111111111";
    public const string TenantId = "22222222-2222-2222-2222-222222222222";
    public const string ResourceGroup = "rg-tokenbroker-tests";
    public const string Location = "westeurope";

    private const string TestsFolder = "tests/TokenBroker.Infra.Tests";

    private readonly Dictionary<string, ArmTemplate> _templates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (BicepRun Run, DeploymentSnapshot? Snapshot)> _snapshots = new(StringComparer.Ordinal);

    public string RepositoryRoot { get; } = LocateRepositoryRoot();

    public string InfraDirectory => Path.Combine(RepositoryRoot, "infra");

    internal string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), $"tokenbroker-infra-tests-{Guid.NewGuid():N}");

    internal BicepRun Build { get; private set; } = null!;

    internal BicepRun BuildParams { get; private set; } = null!;

    internal BicepRun Lint { get; private set; } = null!;

    /// <summary>Every .bicep file under infra/, relative to it with '/' separators ("modules/storage.bicep").</summary>
    internal IReadOnlyList<string> BicepFiles { get; private set; } = [];

    /// <summary>Every .bicepparam file compiled: infra's and the tests' (relative to the repository).</summary>
    internal IReadOnlyList<string> ParameterFiles { get; private set; } = [];

    /// <summary>Compiled ARM templates, by the .bicep file's path relative to infra/.</summary>
    internal IReadOnlyDictionary<string, ArmTemplate> Templates => _templates;

    internal ArmTemplate Main => _templates["main.bicep"];

    /// <summary>The snapshot of a parameter file (by file name without extension) that must deploy.</summary>
    internal DeploymentSnapshot Snapshot(string parameterFile)
    {
        var (run, snapshot) = _snapshots[parameterFile];
        return snapshot ?? throw new InvalidOperationException($"{parameterFile}.bicepparam did not evaluate: {run}");
    }

    /// <summary>The snapshot run of a parameter file that must be refused.</summary>
    internal BicepRun SnapshotRun(string parameterFile) => _snapshots[parameterFile].Run;

    public async Task InitializeAsync()
    {
        var bicep = BicepCli.Locate();
        var work = WorkDirectory;
        CopyDirectory(InfraDirectory, Path.Combine(work, "infra"));
        CopyDirectory(Path.Combine(RepositoryRoot, TestsFolder, "Parameters"), Path.Combine(work, TestsFolder, "Parameters"));

        BicepFiles = Relative(Path.Combine(work, "infra"), "*.bicep");
        ParameterFiles = Relative(work, "*.bicepparam");

        var build = bicep.RunAsync(Path.Combine(work, "infra"), "build", "--pattern", "**/*.bicep", "--outdir", Path.Combine(work, "out", "templates"));
        var buildParams = bicep.RunAsync(work, "build-params", "--pattern", "**/*.bicepparam", "--outdir", Path.Combine(work, "out", "parameters"));
        var lint = bicep.RunAsync(work, "lint", "--pattern", "**/*.bicep*");
        var snapshots = ParameterFiles.Select(async file => (File: file, Run: await bicep.RunAsync(
            Path.GetDirectoryName(Path.Combine(work, file))!,
            "snapshot", Path.GetFileName(file),
            "--subscription-id", SubscriptionId,
            "--tenant-id", TenantId,
            "--resource-group", ResourceGroup,
            "--location", Location))).ToList();

        Build = await build;
        BuildParams = await buildParams;
        Lint = await lint;

        foreach (var file in BicepFiles)
        {
            var json = Path.Combine(work, "out", "templates", Path.ChangeExtension(file, ".json"));
            if (File.Exists(json))
            {
                _templates[file] = new ArmTemplate(file, JsonDocument.Parse(await File.ReadAllTextAsync(json)));
            }
        }

        foreach (var (file, run) in await Task.WhenAll(snapshots))
        {
            var path = Path.Combine(work, Path.ChangeExtension(file, ".snapshot.json"));
            var snapshot = run.ExitCode == 0 && File.Exists(path)
                ? new DeploymentSnapshot(JsonDocument.Parse(await File.ReadAllTextAsync(path)))
                : null;
            _snapshots[Path.GetFileNameWithoutExtension(file)] = (run, snapshot);
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing the run for.
        }

        return Task.CompletedTask;
    }

    private static string LocateRepositoryRoot()
    {
        if (BicepCli.Metadata("RepositoryRoot") is { Length: > 0 } recorded && Directory.Exists(Path.Combine(recorded, "infra")))
        {
            return recorded;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, "infra")) && File.Exists(Path.Combine(directory.FullName, "azure.yaml")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (a folder with infra/ and azure.yaml).");
    }

    private static List<string> Relative(string root, string pattern) =>
        Directory.GetFiles(root, pattern, SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static void CopyDirectory(string source, string destination)
    {
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

/// <summary>Every test class shares one <see cref="InfraFixture"/>: the Bicep CLI runs once per test run.</summary>
[CollectionDefinition(Name)]
public sealed class SharedBicepRun : ICollectionFixture<InfraFixture>
{
    public const string Name = "Bicep";
}
