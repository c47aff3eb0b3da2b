using Azure.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenBroker.Acquisition;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Lifecycle;
using TokenBroker.Lifecycle.Rotation;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the credential lifecycle's building blocks.</summary>
internal static class LifecycleServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AppRegistrationClient"/> over Microsoft Graph, signed in with the <see cref="TokenCredential"/>
    /// the container holds (the broker's managed identity), and <see cref="GraphOptions"/> validated at start-up.
    /// </summary>
    public static IServiceCollection AddAppRegistrationClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<GraphOptions>().BindConfiguration(GraphOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GraphOptions>, GraphOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new GraphProof(provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new AppRegistrationClient(
            GraphClients.Create(provider.GetRequiredService<TokenCredential>(), provider.GetRequiredService<IOptions<GraphOptions>>().Value),
            provider.GetRequiredService<GraphProof>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<AppRegistrationClient>>()));
        return services;
    }

    /// <summary>
    /// Registers automatic rotation (<see cref="RotationRunner"/>, which the refresh run calls, and the
    /// <see cref="CredentialRotation"/> it builds on first need) with <see cref="RotationOptions"/> validated at start-up.
    /// </summary>
    public static IServiceCollection AddCredentialRotation(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RotationOptions>().BindConfiguration(RotationOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RotationOptions>, RotationOptionsValidator>());
        services.AddAppRegistrationClient();
        services.TryAddSingleton(provider => new RotationStore(provider.GetRequiredService<global::Azure.Data.Tables.TableClient>()));
        services.TryAddSingleton(provider => new CredentialRotation(
            provider.GetRequiredService<RotationStore>(),
            provider.GetRequiredService<AppRegistrationClient>(),
            provider.GetRequiredService<global::Azure.Security.KeyVault.Secrets.SecretClient>(),
            provider.GetRequiredService<ClientCredentialsClient>(),
            provider.GetRequiredService<EvictionGenerations>(),
            provider.GetRequiredService<CredentialCache>(),
            provider.GetRequiredService<ConnectionRegistry>(),
            (connection, token) => provider.GetRequiredService<TokenBroker.TokenBrokerService>().ForceRefreshAsync(connection, token),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<RotationOptions>>(),
            provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<CredentialRotation>>()));
        services.TryAddSingleton(provider => new RotationRunner(
            provider.GetRequiredService<ConnectionRegistry>(),
            provider.GetRequiredService<CredentialRotation>,
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RotationRunner>>()));
        return services;
    }
}
