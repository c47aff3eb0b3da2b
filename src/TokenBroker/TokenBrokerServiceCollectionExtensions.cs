using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using TokenBroker;
using TokenBroker.Access;
using TokenBroker.Acquisition;
using TokenBroker.Audit;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Coordination;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;
using TokenBroker.Identity;
using TokenBroker.Lifecycle.Rotation;
using TokenBroker.Operations;
using TokenBroker.Refresh;
using TokenBroker.Rotation;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the broker core.</summary>
public static class TokenBrokerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the broker core: options bound from the <c>TokenBroker</c> section and validated at start-up, the two cache
    /// tiers, the credential sources and their cache, and the token endpoint client with its resilience pipeline. Every
    /// registration is a <c>TryAdd</c>, so a host or a test can put its own piece in first.
    /// </summary>
    public static IServiceCollection AddTokenBroker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<TokenBrokerOptions>().Bind(configuration.GetSection(TokenBrokerOptions.SectionName)).ValidateOnStart();
        services.AddOptions<TokenCacheOptions>().Bind(configuration.GetSection(TokenCacheOptions.SectionName)).ValidateOnStart();
        services.AddOptions<TokenEndpointOptions>().Bind(configuration.GetSection(TokenEndpointOptions.SectionName)).ValidateOnStart();
        services.AddOptions<RefreshOptions>().Bind(configuration.GetSection(RefreshOptions.SectionName)).ValidateOnStart();

        // The coordination keys were documented under Refresh first: read there, then from their own section, which wins.
        services.AddOptions<CoordinationOptions>()
            .Bind(configuration.GetSection(CoordinationOptions.LegacySectionName))
            .Bind(configuration.GetSection(CoordinationOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenBrokerOptions>, TokenBrokerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenCacheOptions>, TokenCacheOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenEndpointOptions>, TokenEndpointOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RefreshOptions>, RefreshOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CoordinationOptions>, CoordinationOptionsValidator>());

        services.TryAddSingleton<TokenBrokerMetrics>();
        services.TryAddSingleton<ConnectionRegistry>();
        services.TryAddSingleton<ServingPolicy>();
        services.TryAddSingleton<MemoryTokenCache>();
        services.TryAddSingleton<TokenProtector>();
        services.TryAddSingleton<StoreDiagnostics>();
        services.TryAddSingleton<TableTokenStore>();
        services.TryAddSingleton<EvictionGenerations>();
        services.TryAddSingleton<SharedTierState>();
        services.TryAddSingleton<SharedTierCheck>();
        services.AddHostedService(sp => sp.GetRequiredService<SharedTierCheck>());
        services.TryAddSingleton<TokenPathWarmup>();
        services.AddHostedService(sp => sp.GetRequiredService<TokenPathWarmup>());
        services.TryAddSingleton<ClientCredentialsClient>();
        services.TryAddSingleton<TokenAcquirer>();
        services.TryAddSingleton<RefreshPolicy>();
        services.TryAddSingleton(new FetchLatency(TimeProvider.System));
        services.TryAddSingleton<CoordinatedFetcher>();
        services.TryAddSingleton<TokenBrokerService>();

        // Every instance writes its own callers' use of tokens; the refresh job, a singleton in Azure, reads them all.
        services.TryAddSingleton<UsageMarker>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageMarker>());
        services.TryAddSingleton<RefreshLease>();
        services.TryAddSingleton<ITokenBroker>(sp => sp.GetRequiredService<TokenBrokerService>());
        // Public only as handles for the Functions worker's public function classes: constructors stay internal because
        // their dependencies are not part of the contract, so the container needs a factory.
        services.TryAddSingleton(sp => new TokenRefreshJob(
            sp.GetRequiredService<TableTokenStore>(),
            sp.GetRequiredService<MemoryTokenCache>(),
            sp.GetRequiredService<ConnectionRegistry>(),
            sp.GetRequiredService<TokenBrokerService>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<RefreshOptions>>(),
            sp.GetRequiredService<TokenBrokerMetrics>(),
            sp.GetRequiredService<Logging.ILogger<TokenRefreshJob>>(),
            sp.GetRequiredService<RotationRunner>(),
            sp.GetService<TokenBroker.Lifecycle.Inventory.CredentialInventoryRunner>()));
        services.TryAddSingleton(sp => new SecretEventProcessor(
            sp.GetRequiredService<ConnectionRegistry>(),
            sp.GetRequiredService<CredentialCache>(),
            sp.GetRequiredService<TokenBrokerService>(),
            sp.GetRequiredService<TokenBrokerMetrics>(),
            sp.GetRequiredService<Logging.ILogger<SecretEventProcessor>>(),
            sp.GetRequiredService<IOptions<CredentialSourceOptions>>().Value.KeyVaultUri));

        // Built on first use, not with the container: a first token from the table with a local secret never needs it.
        services.TryAddSingleton<TokenCredential>(sp => new LazyTokenCredential(() => CreateCredential(sp, configuration)));
        services.TryAddSingleton(CreateTableClient);

        AddTokenEndpointClient(services);
        services.AddClientAuthentication(configuration);
        services.AddAccessControl(configuration);
        services.AddOperations(configuration);
        services.AddAuditTrail(configuration);
        services.AddCredentialInventory();
        services.AddCredentialRotation();
        return services;
    }

    /// <summary>
    /// Runs the refresh job on <c>TokenBroker:Refresh:Schedule</c> inside this process: for hosts without the Functions
    /// timer trigger (the standalone host). Off when <c>TokenBroker:Refresh:Enabled</c> is false.
    /// </summary>
    public static IServiceCollection AddTokenRefreshScheduler(this IServiceCollection services)
    {
        services.AddHostedService<RefreshScheduler>();
        return services;
    }

    // The whole handler chain of the token endpoint client, in one place: its order is the order of these calls.
    private static void AddTokenEndpointClient(IServiceCollection services)
    {
        services.TryAddTransient<ClientAssertionRetryHandler>();
        var tokenEndpoint = services.AddHttpClient(ClientCredentialsClient.HttpClientName, client =>
        {
            // The resilience pipeline owns every timeout; HttpClient's own would cut across it.
            client.Timeout = Timeout.InfiniteTimeSpan;
            client.DefaultRequestHeaders.UserAgent.ParseAdd("TokenBroker/1.0");
        });
        tokenEndpoint.AddResilienceHandler("token-endpoint", static (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<TokenEndpointOptions>>().Value;
            pipeline.AddTimeout(options.TotalTimeout);
            if (options.MaxRetryAttempts > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxRetryAttempts,
                    ShouldRetryAfterHeader = false,

                    // A Retry-After longer than we would wait goes back to the caller (and into the shared hold) instead.
                    ShouldHandle = args => ValueTask.FromResult(
                        HttpClientResiliencePredicates.IsTransient(args.Outcome)
                        && !(RetryAfter(args.Outcome.Result) > options.MaxRetryAfter)),

                    // Honour Retry-After; without it, exponential from RetryDelay with jitter added on top, never below
                    // it: Entra asks for at least five seconds before the first retry, and Polly's own jitter can go lower.
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                        RetryAfter(args.Outcome.Result)
                        ?? (options.RetryDelay * Math.Pow(2, args.AttemptNumber)) + (options.RetryDelay * Random.Shared.NextDouble())),
                });
            }

            pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                // Token endpoints see little traffic, so the default of 100 calls before judging would never trip.
                MinimumThroughput = 5,
                FailureRatio = 0.5,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = options.BreakDuration,
            });
            pipeline.AddTimeout(options.AttemptTimeout);
        }).SelectPipelineByAuthority();

        // Inside the resilience pipeline, so a retried attempt gets a fresh client assertion.
        tokenEndpoint.AddHttpMessageHandler<ClientAssertionRetryHandler>();
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage? response) =>
        response?.Headers.RetryAfter?.Delta is { } delta && delta >= TimeSpan.Zero ? delta : null;

    private static TokenCredential CreateCredential(IServiceProvider services, IConfiguration configuration)
    {
        var clientId = configuration["AZURE_CLIENT_ID"];
        if (services.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            // A developer's own az / Visual Studio login; never used in Azure.
            return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
        }

        return new ManagedIdentityCredential(string.IsNullOrWhiteSpace(clientId)
            ? ManagedIdentityId.SystemAssigned
            : ManagedIdentityId.FromUserAssignedClientId(clientId));
    }

    private static TableClient CreateTableClient(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<TokenCacheOptions>>().Value;
        var clientOptions = new TableClientOptions();

        // A slow or absent table must cost a request little: it is a cache, and the broker works without it.
        clientOptions.Retry.MaxRetries = 1;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);

        return options.ServiceUri is { } uri
            ? new TableClient(uri, options.TableName, services.GetRequiredService<TokenCredential>(), clientOptions)
            : new TableClient(options.ConnectionString ?? "UseDevelopmentStorage=true", options.TableName, clientOptions);
    }
}
