using TokenBroker.IntegrationTests.Infrastructure.FunctionsHost.Rpc;

namespace TokenBroker.IntegrationTests.Functions;

/// <summary>The timer function in the real worker, invoked with the timer payload the host sends.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class RefreshTokensFunctionTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task A_timer_invocation_runs_the_refresh_job_over_the_shared_table_with_the_timers_past_due_flag()
    {
        var host = await fixture.WorkerAsync();
        await DemoToken.RequestAsync(fixture, host.Client);

        var response = await host.InvokeTimerAsync("RefreshTokens", isPastDue: true, DateTimeOffset.UtcNow);

        // The job ran in the worker with the timer's IsPastDue and walked the shared table, where the token just served lives.
        Assert.Equal(StatusResult.Types.Status.Success, response.Result.Status);
        var run = await RunLogAsync(host);
        Assert.StartsWith("Refresh run (past due: True): ", run.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(": 0 entries", run.Message, StringComparison.Ordinal);
        Assert.Contains("0 failed", run.Message, StringComparison.Ordinal);
    }

    // The worker's log of the run can trail the invocation's response on the stream by a moment.
    private static async Task<RpcLog> RunLogAsync(Infrastructure.FunctionsHost.FunctionsHost host)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (host.Logs.LastOrDefault(log => log.Message.StartsWith("Refresh run", StringComparison.Ordinal)) is { } run)
            {
                return run;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("The worker logged no refresh run.");
    }
}
