using BenchmarkDotNet.Attributes;
using Microsoft.Identity.Client;
using TokenBroker.Benchmarks.Stubs;

namespace TokenBroker.Benchmarks.CacheHit;

/// <summary>
/// Issue item 1: a token served from the in-process cache. The broker's request path (<see cref="TokenBrokerService"/>,
/// without a caller) for a cached connection against MSAL.NET's <c>AcquireTokenForClient</c> served from MSAL's in-memory
/// cache: same token, same process, same run. Each side fetched its token once from the same kind of stub authorization server in its global setup.
/// </summary>
[MemoryDiagnoser]
public class CacheHitBenchmarks
{
    private BrokerCore? _broker;
    private BrokerCore? _brokerWithTelemetry;
    private StubAuthorizationServer? _msalServer;
    private IConfidentialClientApplication? _msal;

    // One setup per benchmark, undone by the cleanup before the next: OpenTelemetry listens to every meter named
    // "TokenBroker" in the process, so a composition with a metric reader must not be alive while the plain one is measured.
    [GlobalSetup(Target = nameof(Msal))]
    public async Task SetupMsalAsync()
    {
        _msalServer = new StubAuthorizationServer(TimeProvider.System);
        _msal = MsalClient.Create(_msalServer);
        await CacheWarmer.WarmAsync(_msal, _msalServer);
    }

    [GlobalSetup(Target = nameof(Broker))]
    public async Task SetupBrokerAsync()
    {
        _broker = await BrokerCore.StartAsync();
        await CacheWarmer.WarmAsync(_broker, metricsRecorded: false);
    }

    [GlobalSetup(Target = nameof(BrokerWithHostTelemetry))]
    public async Task SetupBrokerWithHostTelemetryAsync()
    {
        _brokerWithTelemetry = await BrokerCore.StartAsync(withHostTelemetry: true);
        await CacheWarmer.WarmAsync(_brokerWithTelemetry, metricsRecorded: true);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
            _broker = null;
        }

        if (_brokerWithTelemetry is not null)
        {
            await _brokerWithTelemetry.DisposeAsync();
            _brokerWithTelemetry = null;
        }

        _msalServer?.Dispose();
        _msalServer = null;
        _msal = null;
    }

    /// <summary>MSAL.NET: <c>AcquireTokenForClient(scopes).ExecuteAsync()</c> answered from its in-memory app token cache.</summary>
    [Benchmark(Baseline = true)]
    public Task<AuthenticationResult> Msal() => _msal!.AcquireTokenForClient(MsalClient.Scopes).ExecuteAsync();

    /// <summary>The broker core composed with <c>AddTokenBroker</c> alone: no listener on its meter.</summary>
    [Benchmark]
    public ValueTask<TokenResult> Broker() => _broker!.Broker.GetTokenAsync(BrokerCore.Connection, null, CancellationToken.None);

    /// <summary>The broker core as the hosts compose it, with a metric reader attached as in Azure: every instrument records.</summary>
    [Benchmark]
    public ValueTask<TokenResult> BrokerWithHostTelemetry() =>
        _brokerWithTelemetry!.Broker.GetTokenAsync(BrokerCore.Connection, null, CancellationToken.None);
}
