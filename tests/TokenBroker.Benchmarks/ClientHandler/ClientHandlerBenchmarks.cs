using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Client;

namespace TokenBroker.Benchmarks.ClientHandler;

/// <summary>
/// Issue 17, item 3: what <c>AddBrokeredToken</c>'s handler costs a request when the token is cached, against a plain
/// pass-through <see cref="DelegatingHandler"/>. Every client is built by <c>IHttpClientFactory</c> the same way (no logging
/// handlers, one lifetime) and ends in <see cref="CachedResponseHandler"/>, so only the handler in the middle differs.
/// Each call sends a new request, as an app does: <see cref="FixedHeader"/> shows what carrying any Authorization header
/// allocates, the floor for the brokered handler.
/// </summary>
[MemoryDiagnoser]
public class ClientHandlerBenchmarks
{
    public const string Connection = "payments";
    public const string Scope = "api.read";

    private static readonly Uri Downstream = new("https://payments.example.com/orders");

    private ServiceProvider? _services;
    private HttpMessageInvoker? _passThrough;
    private HttpMessageInvoker? _fixedHeader;
    private HttpMessageInvoker? _brokered;
    private HttpMessageInvoker? _brokeredWithScope;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var broker = new StubBroker();
        var services = new ServiceCollection();
        services.AddTokenBrokerClient(options => options.BrokerUri = new Uri("https://broker.example/"))
            .ConfigurePrimaryHttpMessageHandler(() => broker);
        DownstreamClient("pass-through", services).AddHttpMessageHandler(() => new PassThroughHandler());
        DownstreamClient("fixed-header", services).AddHttpMessageHandler(() => new FixedAuthorizationHandler("Bearer " + new string('x', 1200)));
        DownstreamClient("brokered", services).AddBrokeredToken(Connection);
        DownstreamClient("brokered-scope", services).AddBrokeredToken(Connection, options => options.Scope = Scope);
        _services = services.BuildServiceProvider();

        var handlers = _services.GetRequiredService<IHttpMessageHandlerFactory>();
        _passThrough = new HttpMessageInvoker(handlers.CreateHandler("pass-through"), disposeHandler: false);
        _fixedHeader = new HttpMessageInvoker(handlers.CreateHandler("fixed-header"), disposeHandler: false);
        _brokered = new HttpMessageInvoker(handlers.CreateHandler("brokered"), disposeHandler: false);
        _brokeredWithScope = new HttpMessageInvoker(handlers.CreateHandler("brokered-scope"), disposeHandler: false);

        // A benchmark of a cache hit that silently measured misses would be worse than none: one call fills each cache, the
        // next must be a hit carrying the same token, and the provider must answer synchronously from then on.
        var provider = _services.GetRequiredService<IBrokeredTokenProvider>();
        foreach (var (invoker, scope) in new[] { (_brokered, (string?)null), (_brokeredWithScope, Scope) })
        {
            using var first = NewRequest();
            using var second = NewRequest();
            await invoker.SendAsync(first, CancellationToken.None);
            await invoker.SendAsync(second, CancellationToken.None);
            var hit = provider.GetTokenAsync(Connection, scope).AsTask();
            if (!hit.IsCompletedSuccessfully
                || first.Headers.Authorization?.ToString() != "Bearer " + hit.Result.AccessToken
                || second.Headers.Authorization?.ToString() != "Bearer " + hit.Result.AccessToken)
            {
                throw new InvalidOperationException("The brokered handler did not put the cached token on its requests.");
            }
        }

        if (broker.TokenRequests != 2)
        {
            throw new InvalidOperationException($"The broker was asked {broker.TokenRequests} times for 2 cached tokens.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _passThrough?.Dispose();
        _fixedHeader?.Dispose();
        _brokered?.Dispose();
        _brokeredWithScope?.Dispose();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    /// <summary>A <see cref="DelegatingHandler"/> that only passes the request on.</summary>
    [Benchmark(Baseline = true)]
    public Task<HttpResponseMessage> PassThrough() => _passThrough!.SendAsync(NewRequest(), CancellationToken.None);

    /// <summary>A handler that adds a fixed, pre-made Authorization value: the floor of what carrying the header allocates.</summary>
    [Benchmark]
    public Task<HttpResponseMessage> FixedHeader() => _fixedHeader!.SendAsync(NewRequest(), CancellationToken.None);

    /// <summary><c>AddBrokeredToken(connection)</c> with its token cached.</summary>
    [Benchmark]
    public Task<HttpResponseMessage> Brokered() => _brokered!.SendAsync(NewRequest(), CancellationToken.None);

    /// <summary><c>AddBrokeredToken(connection, o =&gt; o.Scope = ...)</c> with its token cached.</summary>
    [Benchmark]
    public Task<HttpResponseMessage> BrokeredWithScope() => _brokeredWithScope!.SendAsync(NewRequest(), CancellationToken.None);

    private static HttpRequestMessage NewRequest() => new(HttpMethod.Get, Downstream);

    private static IHttpClientBuilder DownstreamClient(string name, IServiceCollection services) =>
        services.AddHttpClient(name)
            .ConfigurePrimaryHttpMessageHandler(() => new CachedResponseHandler())
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();
}
