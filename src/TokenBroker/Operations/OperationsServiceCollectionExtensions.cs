using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Access;
using TokenBroker.Audit;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Coordination;
using TokenBroker.Credentials;

namespace TokenBroker.Operations;

/// <summary>Registers the operations service and the eviction watcher.</summary>
internal static class OperationsServiceCollectionExtensions
{
    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OperationsOptions>().Bind(configuration.GetSection(OperationsOptions.SectionName)).ValidateOnStart()
            .Validate(o => o.EvictionPollInterval >= TimeSpan.FromMilliseconds(100) && o.EvictionPollInterval <= TimeSpan.FromMinutes(5), $"{OperationsOptions.SectionName}:EvictionPollInterval must be between 00:00:00.1 and 00:05:00.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.AdminKeySecretName), $"{OperationsOptions.SectionName}:AdminKeySecretName must not be empty.");
        services.TryAddSingleton(sp => new OperationsService(
            sp.GetRequiredService<ConnectionRegistry>(),
            sp.GetRequiredService<TableTokenStore>(),
            sp.GetRequiredService<EvictionGenerations>(),
            sp.GetRequiredService<MemoryTokenCache>(),
            sp.GetRequiredService<CoordinatedFetcher>(),
            sp.GetRequiredService<TokenBrokerService>(),
            sp.GetRequiredService<CredentialCache>(),
            sp.GetRequiredService<CallerAuthenticator>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<OperationsOptions>>(),
            sp.GetRequiredService<AuditTrail>(),
            sp.GetRequiredService<ILogger<OperationsService>>(),
            sp.GetRequiredService<SharedTierState>(),
            sp.GetRequiredService<SharedTierCheck>(),
            sp.GetRequiredService<Lifecycle.Rotation.RotationStore>(),
            sp.GetRequiredService<Lifecycle.Rotation.RotationRunner>(),
            sp.GetService<TokenBroker.Lifecycle.Inventory.InventoryView>()));
        services.AddHostedService<EvictionWatcher>();
        return services;
    }
}
