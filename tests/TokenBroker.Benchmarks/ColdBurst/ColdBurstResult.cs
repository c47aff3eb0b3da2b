namespace TokenBroker.Benchmarks.ColdBurst;

/// <summary>Token requests that reached the authorization server for one burst of concurrent cold callers.</summary>
/// <param name="Callers">Concurrent callers.</param>
/// <param name="BrokerTokenRequests">Token requests the broker sent.</param>
/// <param name="MsalTokenRequests">Token requests MSAL.NET sent.</param>
internal sealed record ColdBurstResult(int Callers, int BrokerTokenRequests, int MsalTokenRequests);
