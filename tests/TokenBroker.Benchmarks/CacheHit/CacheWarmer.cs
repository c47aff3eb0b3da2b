using Microsoft.Identity.Client;
using TokenBroker.Benchmarks.Stubs;

namespace TokenBroker.Benchmarks.CacheHit;

/// <summary>
/// Fills a cache with its one token and proves the next call is a hit: a benchmark of a cache hit that silently measured
/// misses would be worse than none.
/// </summary>
internal static class CacheWarmer
{
    public static async Task WarmAsync(BrokerCore core, bool metricsRecorded)
    {
        if (core.MetricsAreRecorded() != metricsRecorded)
        {
            throw new InvalidOperationException($"The broker's metrics are {(metricsRecorded ? "not " : string.Empty)}recorded, unlike what this benchmark claims to measure.");
        }

        var first = await core.Broker.GetTokenAsync(BrokerCore.Connection, null, CancellationToken.None);
        if (!first.Succeeded)
        {
            throw new InvalidOperationException($"The broker could not fetch its first token: {first.Error.Kind} {first.Error.Detail}");
        }

        var second = core.Broker.GetTokenAsync(BrokerCore.Connection, null, CancellationToken.None);
        if (!second.IsCompletedSuccessfully || !ReferenceEquals(second.Result.Token, first.Token) || core.AuthorizationServer.TokenRequests != 1)
        {
            throw new InvalidOperationException("The broker's second call was not a synchronous memory hit.");
        }
    }

    public static async Task WarmAsync(IConfidentialClientApplication msal, StubAuthorizationServer server)
    {
        var first = await msal.AcquireTokenForClient(MsalClient.Scopes).ExecuteAsync();
        var second = await msal.AcquireTokenForClient(MsalClient.Scopes).ExecuteAsync();
        if (first.AuthenticationResultMetadata.TokenSource != TokenSource.IdentityProvider
            || second.AuthenticationResultMetadata.TokenSource != TokenSource.Cache
            || server.TokenRequests != 1
            || server.UnexpectedRequests != 0)
        {
            throw new InvalidOperationException(
                $"MSAL did not serve its second call from its cache (sources {first.AuthenticationResultMetadata.TokenSource}, " +
                $"{second.AuthenticationResultMetadata.TokenSource}; {server.TokenRequests} token and {server.UnexpectedRequests} other requests).");
        }
    }
}
