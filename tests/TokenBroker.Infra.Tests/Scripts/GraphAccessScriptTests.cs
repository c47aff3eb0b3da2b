using System.Diagnostics;
using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests.Scripts;

/// <summary>
/// scripts/grant-graph-access.sh, run by real bash with a stub `az` first on PATH. The stub parses its arguments as
/// `az rest` does, records every call, and answers from a small directory kept in files (Microsoft Graph's service
/// principal with its documented app roles, the managed identity's app role assignments, applications and their
/// owners), so a change the script makes is seen by its next run.
/// </summary>
public sealed class GraphAccessScriptTests : IDisposable
{
    /// <summary>
    /// Microsoft Graph permissions reference (https://learn.microsoft.com/graph/permissions-reference#applicationreadwriteownedby,
    /// read 2026-11-29): Application.ReadWrite.OwnedBy, application identifier 18a4783c-866b-4cc7-a460-3d5e5662c884,
    /// "Allows the app to create other applications, and fully manage those applications (read, update, update
    /// application secrets and delete), without a signed-in user. It cannot update any apps that it is not an owner of."
    /// </summary>
    private const string ApplicationReadWriteOwnedBy = "18a4783c-866b-4cc7-a460-3d5e5662c884";

    /// <summary>Same reference, #applicationreadwriteall: Application.ReadWrite.All, application identifier 1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9.</summary>
    private const string ApplicationReadWriteAll = "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9";

    private const string GraphServicePrincipal = "9a0e0000-0000-4000-8000-00000000a001";
    private const string BrokerIdentity = "b0b00000-0000-4000-8000-00000000b001";
    private const string PaymentsApp = "a1a10000-0000-4000-8000-0000000a0001";
    private const string PaymentsObject = "0b1e0000-0000-4000-8000-0000000a0001";
    private const string CrmApp = "a1a10000-0000-4000-8000-0000000a0002";
    private const string CrmObject = "0b1e0000-0000-4000-8000-0000000a0002";
    private const string Graph = "https://graph.microsoft.com/v1.0";

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"tokenbroker-grant-graph-{Guid.NewGuid():N}");

    public GraphAccessScriptTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "bin"));
        Directory.CreateDirectory(Path.Combine(_root, "state", "apps"));
        File.WriteAllText(Path.Combine(_root, "bin", "az"), StubAz);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(_root, "bin", "az"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // The directory: Graph's app roles as the permissions reference documents them, two applications, and the
        // broker already owning the CRM application.
        File.WriteAllLines(Path.Combine(_root, "state", "graph-app-roles"), [$"{ApplicationReadWriteOwnedBy}\tApplication.ReadWrite.OwnedBy", $"{ApplicationReadWriteAll}\tApplication.ReadWrite.All"]);
        File.WriteAllText(Path.Combine(_root, "state", "graph-sp"), GraphServicePrincipal);
        File.WriteAllText(Path.Combine(_root, "state", "apps", PaymentsApp), $"{PaymentsObject}\tPayments API client");
        File.WriteAllText(Path.Combine(_root, "state", "apps", CrmApp), $"{CrmObject}\tCRM");
        File.WriteAllLines(Path.Combine(_root, "state", $"owners-{CrmObject}"), ["11111111-0000-4000-8000-000000000001", BrokerIdentity]);
    }

    [Fact]
    public void The_script_grants_the_documented_owned_by_role_id_and_names_application_readwrite_all_only_to_warn()
    {
        var script = File.ReadAllLines(ScriptPath);

        Assert.Contains(script, line => line.StartsWith($"owned_by_role_id='{ApplicationReadWriteOwnedBy}'", StringComparison.Ordinal));
        var all = Assert.Single(script, line => line.Contains(ApplicationReadWriteAll, StringComparison.OrdinalIgnoreCase));
        Assert.StartsWith("all_role_id=", all, StringComparison.Ordinal);
        Assert.DoesNotContain(script, line => line.Contains("appRoleId", StringComparison.Ordinal) && line.Contains("all_role_id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dry_run_reads_the_directory_and_changes_nothing()
    {
        var run = await RunAsync("--principal-id", BrokerIdentity, "--app", PaymentsApp, "--app", CrmApp, "--dry-run");

        Assert.Equal(0, run.ExitCode);
        Assert.All(run.Calls, c => Assert.Equal("get", c.Method));
        Assert.Contains($"would: assign Application.ReadWrite.OwnedBy on Microsoft Graph to {BrokerIdentity}", run.Output, StringComparison.Ordinal);
        Assert.Contains($"would: add {BrokerIdentity} as an owner of Payments API client ({PaymentsApp})", run.Output, StringComparison.Ordinal);
        Assert.Contains($"ok: {BrokerIdentity} already owns CRM ({CrmApp})", run.Output, StringComparison.Ordinal);
        Assert.Contains("Dry run: 2 change(s) would be made", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "state", "assignments")));
        Assert.False(File.Exists(Path.Combine(_root, "state", $"owners-{PaymentsObject}")));
    }

    [Fact]
    public async Task The_grant_assigns_the_documented_owned_by_role_and_ownership_then_a_second_run_changes_nothing()
    {
        var first = await RunAsync("--principal-id", BrokerIdentity, "--app", PaymentsApp, "--app", CrmApp);

        Assert.Equal(0, first.ExitCode);
        var posts = first.Calls.Where(c => c.Method == "post").ToList();
        Assert.Equal(
            [
                ($"{Graph}/servicePrincipals/{GraphServicePrincipal}/appRoleAssignedTo", $"{{\"principalId\":\"{BrokerIdentity}\",\"resourceId\":\"{GraphServicePrincipal}\",\"appRoleId\":\"{ApplicationReadWriteOwnedBy}\"}}"),
                ($"{Graph}/applications/{PaymentsObject}/owners/$ref", $"{{\"@odata.id\":\"{Graph}/directoryObjects/{BrokerIdentity}\"}}"),
            ],
            posts.Select(p => (p.Url, p.Body)));
        Assert.DoesNotContain(first.Calls, c => c.Body.Contains(ApplicationReadWriteAll, StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Made 2 change(s)", first.Output, StringComparison.Ordinal);

        var second = await RunAsync("--principal-id", BrokerIdentity, "--app", PaymentsApp, "--app", CrmApp);

        Assert.Equal(0, second.ExitCode);
        Assert.All(second.Calls, c => Assert.Equal("get", c.Method));
        Assert.Contains($"ok: {BrokerIdentity} already has Application.ReadWrite.OwnedBy on Microsoft Graph", second.Output, StringComparison.Ordinal);
        Assert.Contains($"ok: {BrokerIdentity} already owns Payments API client ({PaymentsApp})", second.Output, StringComparison.Ordinal);
        Assert.Contains("Nothing to change: every grant is already in place.", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_identity_holding_application_readwrite_all_is_warned_about_and_never_granted_it()
    {
        File.WriteAllLines(Path.Combine(_root, "state", "assignments"), [ApplicationReadWriteAll]);

        var run = await RunAsync("--principal-id", BrokerIdentity);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("also holds Application.ReadWrite.All", run.Error, StringComparison.Ordinal);
        Assert.Equal([ApplicationReadWriteOwnedBy], Assert.Single(run.Calls, c => c.Method == "post").Body.Split('"').Where(part => part.Length == 36 && part != BrokerIdentity && part != GraphServicePrincipal));
    }

    [Fact]
    public async Task An_unknown_application_stops_the_script_with_its_client_id()
    {
        var missing = "a1a10000-0000-4000-8000-0000000a0099";

        var run = await RunAsync("--principal-id", BrokerIdentity, "--app", missing);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"cannot read application {missing}", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Calls, c => c.Url.Contains("/owners", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--principal-id not-a-guid")]
    [InlineData("--principal-id " + BrokerIdentity + " --app payments")]
    [InlineData("--principal-id " + BrokerIdentity + " --bogus")]
    [InlineData("--app " + PaymentsApp)]
    public async Task Bad_arguments_are_refused_before_any_call(string arguments)
    {
        var run = await RunAsync(arguments.Split(' '));

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Calls);
        Assert.StartsWith("grant-graph-access", run.Error.TrimStart(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string ScriptPath =>
        Path.Combine(BicepCli.Metadata("RepositoryRoot") ?? throw new InvalidOperationException("RepositoryRoot metadata is missing."), "scripts", "grant-graph-access.sh");

    private async Task<ScriptRun> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ScriptPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PATH"] = $"{Path.Combine(_root, "bin")}:{Environment.GetEnvironmentVariable("PATH")}";
        start.Environment["AZ_STUB_STATE"] = Path.Combine(_root, "state");
        start.Environment.Remove("BROKER_IDENTITY_PRINCIPAL_ID");

        var callsFile = Path.Combine(_root, "state", "calls");
        File.Delete(callsFile);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start bash.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        var calls = File.Exists(callsFile)
            ? File.ReadAllLines(callsFile).Select(line => line.Split('\t')).Select(f => new AzCall(f[0], f[1], f[2])).ToList()
            : [];
        return new ScriptRun(process.ExitCode, await output, await error, calls);
    }

    private sealed record AzCall(string Method, string Url, string Body);

    private sealed record ScriptRun(int ExitCode, string Output, string Error, IReadOnlyList<AzCall> Calls);

    // `az rest` as the script uses it: --method, --url, --body, --headers, --query and --output parsed like the CLI
    // (any order), the call recorded as method<TAB>url<TAB>body, and the answer computed from the state files. A
    // --query it does not know, or any other command, fails the run.
    private const string StubAz = """
        #!/usr/bin/env bash
        set -euo pipefail
        state="$AZ_STUB_STATE"
        [ "${1:-}" = rest ] || { echo "stub az: unexpected command: $*" >&2; exit 3; }
        shift
        method='' url='' body='' query='' output=''
        while [ $# -gt 0 ]; do
          case "$1" in
            --method) method="$2"; shift 2 ;;
            --url) url="$2"; shift 2 ;;
            --body) body="$2"; shift 2 ;;
            --headers) shift 2 ;;
            --query) query="$2"; shift 2 ;;
            --output) output="$2"; shift 2 ;;
            *) echo "stub az: unknown argument $1" >&2; exit 3 ;;
          esac
        done
        printf '%s\t%s\t%s\n' "$method" "$url" "$body" >>"$state/calls"
        graph='https://graph.microsoft.com/v1.0'
        graph_sp="$(cat "$state/graph-sp")"
        not_found() { echo "ERROR: Not Found({\"error\":{\"code\":\"Request_ResourceNotFound\"}})" >&2; exit 1; }
        case "$method $url" in
          "get $graph/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')")
            [ "$output" = tsv ] || exit 3
            role="$(sed -n "s/^.*appRoles\[?id=='\([0-9a-f-]*\)'\]\.value | \[0\]\]$/\1/p" <<<"$query")"
            [ -n "$role" ] || { echo "stub az: unexpected query $query" >&2; exit 3; }
            printf '%s\t%s\n' "$graph_sp" "$(grep "^$role"$'\t' "$state/graph-app-roles" | cut -f2 || true)"
            ;;
          "get $graph/servicePrincipals/"*"/appRoleAssignments")
            [ "$query" = "value[?resourceId=='$graph_sp'].appRoleId" ] || { echo "stub az: unexpected query $query" >&2; exit 3; }
            cat "$state/assignments" 2>/dev/null || true
            ;;
          "post $graph/servicePrincipals/$graph_sp/appRoleAssignedTo")
            sed -n 's/.*"appRoleId":"\([^"]*\)".*/\1/p' <<<"$body" >>"$state/assignments"
            ;;
          "get $graph/applications(appId='"*"')")
            [ "$query" = "[id, displayName]" ] || exit 3
            app="${url#*appId=\'}"; app="${app%\')}"
            [ -f "$state/apps/$app" ] || not_found
            cat "$state/apps/$app"; echo
            ;;
          "get $graph/applications/"*"/owners")
            [ "$query" = "value[].id" ] || exit 3
            object="${url#$graph/applications/}"; object="${object%/owners}"
            cat "$state/owners-$object" 2>/dev/null || true
            ;;
          "post $graph/applications/"*'/owners/$ref')
            object="${url#$graph/applications/}"; object="${object%/owners/\$ref}"
            sed -n 's#.*/directoryObjects/\([^"]*\)".*#\1#p' <<<"$body" >>"$state/owners-$object"
            ;;
          *) echo "stub az: unexpected call $method $url" >&2; exit 3 ;;
        esac
        """;
}
