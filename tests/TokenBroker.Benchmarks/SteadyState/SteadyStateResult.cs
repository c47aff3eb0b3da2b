namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>
/// Issue item 4, once proactive refresh exists: continuous requests over simulated time (<c>FakeTimeProvider</c>), many
/// connections, short-lived tokens. Whatever measures it sets <see cref="Reporting.InProcessSummary.SteadyState"/>.
/// </summary>
/// <param name="Connections">Connections requested round-robin (the issue: 50).</param>
/// <param name="SimulatedMinutes">Simulated duration (the issue: 10).</param>
/// <param name="TokenLifetimeMinutes">Lifetime of each token (the issue: 5).</param>
/// <param name="RequestsAfterWarmUp">Requests counted after every connection had its first token.</param>
/// <param name="RequestsThatWaited">Of those, requests that waited on the authorization server (target: 0).</param>
/// <param name="TokenRequestsPerConnectionPerLifetime">Token requests per connection per token lifetime (target: 1).</param>
internal sealed record SteadyStateResult(
    int Connections,
    double SimulatedMinutes,
    double TokenLifetimeMinutes,
    long RequestsAfterWarmUp,
    long RequestsThatWaited,
    double TokenRequestsPerConnectionPerLifetime);
