using System.Diagnostics;
using Xunit.Abstractions;

namespace TokenBroker.IntegrationTests.Lifecycle.Rotation;

/// <summary>
/// Issue 15's load test. Three standalone brokers on loopback share one Azurite table, one Key Vault test endpoint and
/// one development authorization server laid out as an Entra ID tenant; callers ask every instance for tokens of every
/// connection throughout. Automatic rotation is due on each connection (a secret expiring within RenewBefore; a
/// certificate renewed by Key Vault, a latest version the application does not hold), and
/// nothing but the brokers' own refresh runs (on whichever instance holds the refresh lease) moves it: no test code calls
/// a rotation step. The connections are data (<see cref="RotatingConnection"/>), so a new credential kind is a new row.
/// <para>
/// The propagation delay (30 s) is measured on the authorization server's clock, as Entra's propagation happens on
/// Entra's side. That clock is a <c>FakeTimeProvider</c> driven at real speed (<see cref="ServerClock"/>): the brokers
/// never read it, they see <c>invalid_client</c> for the new credential for the whole 30 s of real time, while their own
/// retries, backoff, leases and grace run on the real clock.
/// </para>
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class RotationUnderLoadTests(IntegrationFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(150);

    private static readonly RotatingConnection[] Connections =
    [
        RotatingConnection.Secret("load-secret-a"),
        RotatingConnection.Secret("load-secret-b"),
        RotatingConnection.Secret("load-secret-c"),
        RotatingConnection.Certificate("load-cert-a"),
        RotatingConnection.Certificate("load-cert-b"),
    ];

    [Fact]
    public async Task Due_rotations_of_every_connection_on_three_instances_under_load_fail_no_request_and_leave_exactly_one_new_credential_each()
    {
        await using var rig = await RotationRig.StartAsync(fixture, Connections);
        var elapsed = Stopwatch.StartNew();
        await using (var load = rig.StartLoad())
        {
            await RenewWhileServingAsync(rig, load);
            await rig.WaitUntilAllDoneAsync(Deadline);
            await load.StopAsync();
            output.WriteLine($"{Connections.Length} rotations done in {elapsed.Elapsed.TotalSeconds:F1} s; {load.Requests} caller requests, {load.Failures.Count} failed");
            Assert.Empty(load.Failures);
            Assert.All(Connections, c => Assert.True(load.SucceededFor(c.Name) >= 20, $"{c.Name}: only {load.SucceededFor(c.Name)} requests"));
        }

        await rig.AssertExactlyOneNewCredentialEachAsync();
    }

    [Fact]
    public async Task Stopping_the_instance_that_took_each_step_leaves_the_rotations_to_the_others_with_no_orphaned_credential()
    {
        await using var rig = await RotationRig.StartAsync(fixture, Connections, haltAfterEachStep: true);
        var elapsed = Stopwatch.StartNew();
        var stopped = new List<IReadOnlyList<string>>();
        await using (var load = rig.StartLoad())
        {
            await RenewWhileServingAsync(rig, load);
            var until = DateTimeOffset.UtcNow + Deadline;
            while (!await rig.AllDoneAsync())
            {
                Assert.True(DateTimeOffset.UtcNow < until, $"rotations not done after {Deadline}: {await rig.DescribeAsync()}");
                stopped.AddRange(await rig.ReplaceHaltedInstancesAsync());
                await Task.Delay(50);
            }

            await load.StopAsync();
            output.WriteLine($"{Connections.Length} rotations done in {elapsed.Elapsed.TotalSeconds:F1} s with {stopped.Count} instances stopped; {load.Requests} caller requests, {load.Failures.Count} failed");
            Assert.Empty(load.Failures);
        }

        foreach (var steps in stopped)
        {
            output.WriteLine("stopped after: " + string.Join(' ', steps));
        }

        // Plan, record, store, probe, promote, retire: each ended its instance (addPassword excepted, see StepLog), so
        // every rotation went through six instances at least.
        Assert.All(stopped, steps => Assert.All(
            steps.Where(s => !s.EndsWith(":SecretAdded", StringComparison.Ordinal)).GroupBy(s => s.Split(':')[0]),
            perConnection => Assert.Single(perConnection)));
        Assert.True(stopped.Count >= 6, $"only {stopped.Count} instances were stopped");
        await rig.AssertExactlyOneNewCredentialEachAsync();
    }

    // Key Vault renews the certificates once callers are being served with the old ones.
    private static async Task RenewWhileServingAsync(RotationRig rig, CallerLoad load)
    {
        while (load.Requests < 50)
        {
            await Task.Delay(20);
        }

        rig.RenewCertificates();
    }
}
