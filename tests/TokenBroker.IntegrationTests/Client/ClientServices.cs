using Microsoft.Extensions.Logging;
using TokenBroker.Client;

namespace TokenBroker.IntegrationTests.Client;

/// <summary>The container of an app that calls the broker, logging into the fixture's sink so a leaked token fails the run.</summary>
internal static class ClientServices
{
    public static ServiceProvider Build(
        IntegrationFixture fixture,
        Uri brokerUri,
        Action<IServiceCollection>? services = null,
        Action<TokenBrokerClientOptions>? options = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(fixture.Sink));
        services?.Invoke(collection);
        collection.AddTokenBrokerClient(client =>
        {
            client.BrokerUri = brokerUri;
            options?.Invoke(client);
        });
        return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
