using Azure;
using Azure.Data.Tables;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Moq;
using TokenBroker.Acquisition;

namespace TokenBroker.Tests.Support;

/// <summary>The broker core composed exactly as the hosts compose it, with the clock, the token endpoint and the table replaced.</summary>
internal sealed class CoreHarness : IDisposable
{
    public const string Secret = "unit-test-secret-8f2b41c9e07d";

    public static readonly string CacheKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public CoreHarness(IDictionary<string, string?>? settings = null, IHostEnvironment? environment = null, SecretClient? secretClient = null, Action<IServiceCollection>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["TokenBroker:Connections:payments:TokenEndpoint"] = "https://login.example.test/oauth2/token",
            ["TokenBroker:Connections:payments:ClientId"] = "payments-client",
            ["TokenBroker:Connections:payments:SecretName"] = "payments-secret",
            ["TokenBroker:Connections:payments:Scopes"] = "api.read",
            ["TokenBroker:Connections:payments:AllowedScopes"] = "api.read api.write api.admin",
            ["TokenBroker:Secrets:payments-secret"] = Secret,
            ["TokenBroker:Secrets:token-cache-key"] = CacheKey,
            ["TokenBroker:TokenEndpoint:MaxRetryAttempts"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        Configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        Table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Mock.Of<NullableResponse<TableEntity>>(r => r.HasValue == false));
        Table.Setup(t => t.AddEntityAsync(It.IsAny<TableEntity>(), It.IsAny<CancellationToken>())).ReturnsAsync(Mock.Of<Response>());
        Table.Setup(t => t.UpdateEntityAsync(It.IsAny<TableEntity>(), It.IsAny<ETag>(), It.IsAny<TableUpdateMode>(), It.IsAny<CancellationToken>())).ReturnsAsync(Mock.Of<Response>());
        Table.Setup(t => t.UpsertEntityAsync(It.IsAny<TableEntity>(), It.IsAny<TableUpdateMode>(), It.IsAny<CancellationToken>())).ReturnsAsync(Mock.Of<Response>());

        var services = new ServiceCollection();
        services.AddSingleton(environment ?? TestEnvironment.Development);
        services.AddSingleton<IConfiguration>(Configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(Table.Object);
        if (secretClient is not null)
        {
            services.AddSingleton(secretClient);
        }

        configure?.Invoke(services);

        services.AddTokenBroker(Configuration);
        services.AddHttpClient(ClientCredentialsClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Endpoint);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public IConfigurationRoot Configuration { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public StubTokenEndpoint Endpoint { get; } = new();

    public Mock<TableClient> Table { get; } = new();

    public FakeLoggerProvider Logs { get; } = new();

    public ServiceProvider Services { get; }

    public TokenBrokerService Broker => Services.GetRequiredService<TokenBrokerService>();

    public void Dispose()
    {
        Services.Dispose();
        Endpoint.Dispose();
    }
}
