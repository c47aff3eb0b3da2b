using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using TokenBroker.Access;
using TokenBroker.Acquisition;
using TokenBroker.Audit;
using TokenBroker.Identity;
using TokenBroker.Operations;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests;

public sealed class TokenBrokerServiceCollectionExtensionsTests
{
    // The Azure composition: Key Vault, managed identity, caller tokens. Building clients and credentials reaches nothing.
    private static readonly IConfiguration Configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["TokenBroker:KeyVaultUri"] = "https://broker-tests.vault.azure.net/",
        ["TokenBroker:Connections:payments:TokenEndpoint"] = "https://login.example.test/oauth2/token",
        ["TokenBroker:Connections:payments:ClientId"] = "payments-client",
        ["TokenBroker:Connections:payments:SecretName"] = "payments-secret",
        ["TokenBroker:Connections:payments:Scopes"] = "api.read",
        ["TokenBroker:Connections:orders:TokenEndpoint"] = "https://login.example.test/oauth2/token",
        ["TokenBroker:Connections:orders:ClientId"] = "orders-client",
        ["TokenBroker:Connections:orders:AuthMethod"] = "private_key_jwt",
        ["TokenBroker:Connections:orders:CertificateName"] = "orders-certificate",
        ["TokenBroker:Connections:orders:Scopes"] = "orders.read",
        ["TokenBroker:Callers:Mode"] = "Jwt",
        ["TokenBroker:Callers:Authority"] = "https://login.example.test/tenant/v2.0",
        ["TokenBroker:Callers:Audience"] = "api://tokenbroker",
        ["TokenBroker:Access:Rules:0:AppId"] = "orders-app",
        ["TokenBroker:Access:Rules:0:Connections:payments"] = "*",
        ["TokenBroker:TokenCache:ServiceUri"] = "https://brokertests.table.core.windows.net/",
    }).Build();

    public static TheoryData<string> Orders() => ["core first", "parts first"];

    [Theory]
    [MemberData(nameof(Orders))]
    public void Every_registered_service_resolves_whatever_the_registration_order(string order)
    {
        var services = Compose(order);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        foreach (var descriptor in services.Where(d => !d.ServiceType.IsGenericTypeDefinition))
        {
            if (descriptor.IsKeyedService && descriptor.ServiceKey == KeyedService.AnyKey)
            {
                continue;
            }

            if (descriptor.IsKeyedService)
            {
                Assert.NotNull(provider.GetRequiredKeyedService(descriptor.ServiceType, descriptor.ServiceKey));
            }
            else
            {
                Assert.All(provider.GetServices(descriptor.ServiceType), Assert.NotNull);
                Assert.NotNull(provider.GetRequiredService(descriptor.ServiceType));
            }
        }

        Assert.IsType<TokenBrokerService>(provider.GetRequiredService<ITokenBroker>());
        Assert.Same(provider.GetRequiredService<TokenBrokerService>(), provider.GetRequiredService<ITokenBroker>());
    }

    [Fact]
    public void Resolving_every_service_builds_no_azure_credential_until_a_token_is_asked_of_it()
    {
        var services = Compose("core first");
        using var provider = services.BuildServiceProvider();

        // What the container builds for start-up and for requests: the Key Vault and table clients, the federation
        // assertion source and the hosted services all take the credential in their constructors.
        foreach (var descriptor in services.Where(d => !d.ServiceType.IsGenericTypeDefinition && !d.IsKeyedService))
        {
            _ = provider.GetServices(descriptor.ServiceType).ToList();
        }

        var credential = Assert.IsType<LazyTokenCredential>(provider.GetRequiredService<TokenCredential>());
        Assert.False(credential.IsBuilt);
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public void The_client_assertion_handler_runs_once_per_attempt_inside_the_resilience_pipeline(string order)
    {
        using var provider = Compose(order).BuildServiceProvider();
        var chain = new List<HttpMessageHandler>();
        for (HttpMessageHandler? handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(ClientCredentialsClient.HttpClientName);
            handler is not null;
            handler = (handler as DelegatingHandler)?.InnerHandler)
        {
            chain.Add(handler);
        }

        // Outer to inner: a handler after the resilience handler runs on every attempt, one before it once per request.
        var resilience = Assert.Single(chain, h => h is ResilienceHandler);
        var assertion = Assert.Single(chain, h => h is ClientAssertionRetryHandler);
        Assert.True(chain.IndexOf(assertion) > chain.IndexOf(resilience), string.Join(" > ", chain.Select(h => h.GetType().Name)));
    }

    private static ServiceCollection Compose(string order)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(TestEnvironment.Production);
        services.AddSingleton(Configuration);
        services.AddLogging();
        if (order == "parts first")
        {
            // The parts AddTokenBroker composes, registered before it (and so twice): nothing may depend on their order.
            services.AddAuditTrail(Configuration);
            services.AddOperations(Configuration);
            services.AddAccessControl(Configuration);
            services.AddClientAuthentication(Configuration);
        }

        services.AddTokenBroker(Configuration);
        return services;
    }
}
