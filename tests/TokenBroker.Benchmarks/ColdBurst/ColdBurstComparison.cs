using TokenBroker.Benchmarks.Stubs;

namespace TokenBroker.Benchmarks.ColdBurst;

/// <summary>
/// Context for issue item 3: N concurrent callers on a cold cache in one process, and how many token requests reach the
/// authorization server. MSAL.NET has no single flight for <c>AcquireTokenForClient</c>; the broker does.
/// The stub answers after a delay so that every caller is in flight before the first token arrives.
/// </summary>
internal static class ColdBurstComparison
{
    public const int DefaultCallers = 100;

    private static readonly TimeSpan AuthorizationServerLatency = TimeSpan.FromMilliseconds(200);

    public static async Task<ColdBurstResult> MeasureAsync(int callers = DefaultCallers)
    {
        await using var broker = await BrokerCore.StartAsync(authorizationServerLatency: AuthorizationServerLatency);
        await BurstAsync(callers, async () =>
        {
            var result = await broker.Broker.GetTokenAsync(BrokerCore.Connection, null, CancellationToken.None);
            return result.Succeeded;
        });

        using var msalServer = new StubAuthorizationServer(TimeProvider.System, AuthorizationServerLatency);
        var msal = MsalClient.Create(msalServer);
        await BurstAsync(callers, async () =>
        {
            var result = await msal.AcquireTokenForClient(MsalClient.Scopes).ExecuteAsync();
            return !string.IsNullOrEmpty(result.AccessToken);
        });

        return new ColdBurstResult(callers, broker.AuthorizationServer.TokenRequests, msalServer.TokenRequests);
    }

    private static async Task BurstAsync(int callers, Func<Task<bool>> call)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, callers).Select(async _ =>
        {
            await start.Task;
            return await call();
        }).ToArray();
        start.SetResult();
        var succeeded = await Task.WhenAll(calls);
        if (succeeded.Any(ok => !ok))
        {
            throw new InvalidOperationException("A caller in the cold burst got no token.");
        }
    }
}
