using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Host;

namespace TokenBroker.Benchmarks.ColdBurst;

/// <summary>
/// One standalone broker host, built exactly as <c>src/TokenBroker.Host</c>'s Program builds it
/// (<see cref="BrokerHost.CreateBuilder"/>, <see cref="BrokerHost.Build"/>), in the Development environment, on a free
/// loopback port, with the given settings on top.
/// </summary>
internal sealed class BrokerHostInstance : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BrokerHostInstance(WebApplication app)
    {
        _app = app;
        BaseAddress = new Uri(app.Urls.Single());
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<BrokerHostInstance> StartAsync(IEnumerable<KeyValuePair<string, string?>> settings, Action<IServiceCollection>? services = null)
    {
        var builder = BrokerHost.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Development"]);
        builder.Configuration.AddInMemoryCollection(settings);
        services?.Invoke(builder.Services);
        var app = BrokerHost.Build(builder);
        await app.StartAsync();
        return new BrokerHostInstance(app);
    }

    public Uri TokenRoute(string connection) => new(BaseAddress, $"/api/token/{connection}");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
