using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace TokenBroker.Client.Tests.Support;

/// <summary>
/// The container of a calling service, set up through the library's public registration, with the clock, the broker and the
/// downstream API replaced.
/// </summary>
internal sealed class ClientHarness : IDisposable
{
    public ClientHarness(Action<TokenBrokerClientOptions>? options = null, Action<IServiceCollection>? services = null, Action<BrokeredTokenOptions>? downstream = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));

        // Before the library's registrations, which are TryAdd: the test's clock wins.
        collection.AddSingleton<TimeProvider>(Time);
        services?.Invoke(collection);
        collection.AddTokenBrokerClient(client =>
            {
                client.BrokerUri = new Uri("https://broker.example.test/");
                options?.Invoke(client);
            })
            .ConfigurePrimaryHttpMessageHandler(() => Broker);
        collection.AddHttpClient("downstream", client => client.BaseAddress = new Uri("https://downstream.example.test/"))
            .AddBrokeredToken("payments", downstream ?? (_ => { }))
            .ConfigurePrimaryHttpMessageHandler(() => Downstream);
        Services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public BrokerStub Broker { get; } = new();

    public BrokerStub Downstream { get; } = new();

    public FakeLoggerProvider Logs { get; } = new();

    public ServiceProvider Services { get; }

    public IBrokeredTokenProvider Tokens => Services.GetRequiredService<IBrokeredTokenProvider>();

    public HttpClient DownstreamClient => Services.GetRequiredService<IHttpClientFactory>().CreateClient("downstream");

    public void Dispose()
    {
        Services.Dispose();
        Broker.Dispose();
        Downstream.Dispose();
    }
}
