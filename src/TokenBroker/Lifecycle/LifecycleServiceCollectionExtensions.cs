using Azure.Core;
using Azure.Data.Tables;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Acquisition;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Lifecycle;
using TokenBroker.Lifecycle.Inventory;
using TokenBroker.Lifecycle.Rotation;
using TokenBroker.Refresh;

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
    /// Registers the credential expiry inventory: <see cref="InventoryOptions"/> validated at start-up, the reader over
    /// Key Vault (when a vault is configured) and Graph, the table store and this instance's view of it, the runner the
    /// refresh job calls, and the gauges.
    /// </summary>
    public static IServiceCollection AddCredentialInventory(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<InventoryOptions>()
            .BindConfiguration(InventoryOptions.SectionName)
            .PostConfigure<IOptions<RefreshOptions>>((options, refresh) => options.MaxRunTime ??= InventoryOptions.DefaultFor(RefreshPeriod.Of(refresh.Value.Schedule)))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InventoryOptions>, InventoryOptionsValidator>());
        services.AddAppRegistrationClient();
        services.TryAddSingleton(sp =>
        {
            // Clients are made only when used: without a vault (Development) there is none to make, and a broker with no
            // Entra ID connection never builds a Graph client.
            var vault = sp.GetRequiredService<IOptions<CredentialSourceOptions>>().Value.KeyVaultUri is not null;
            return new CredentialInventoryReader(
                vault ? new Lazy<SecretClient>(sp.GetRequiredService<SecretClient>) : null,
                vault ? new Lazy<CertificateClient>(sp.GetRequiredService<CertificateClient>) : null,
                new Lazy<AppRegistrationClient>(sp.GetRequiredService<AppRegistrationClient>),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IOptions<InventoryOptions>>().Value);
        });
        services.TryAddSingleton(sp => new InventoryStore(sp.GetRequiredService<TableClient>()));
        services.TryAddSingleton(sp => new InventoryView(sp.GetRequiredService<InventoryStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<InventoryView>>()));
        services.TryAddSingleton(sp => new InventorySlice(
            sp.GetRequiredService<CredentialInventoryReader>(),
            sp.GetRequiredService<InventoryStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<InventoryOptions>>(),
            sp.GetRequiredService<ILogger<InventorySlice>>()));
        services.TryAddSingleton(sp => new CredentialInventoryRunner(
            sp.GetRequiredService<ConnectionRegistry>(),
            sp.GetRequiredService<InventorySlice>(),
            sp.GetRequiredService<InventoryStore>(),
            sp.GetRequiredService<InventoryView>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<InventoryOptions>>(),
            sp.GetRequiredService<IOptions<TokenBroker.Refresh.RefreshOptions>>(),
            sp.GetRequiredService<ILogger<CredentialInventoryRunner>>()));
        services.TryAddSingleton(sp => new CredentialInventoryMetrics(
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<ConnectionRegistry>(),
            sp.GetRequiredService<InventoryView>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService(sp => sp.GetRequiredService<CredentialInventoryMetrics>());
        return services;
    }

    /// <summary>
    /// Registers automatic rotation (<see cref="RotationRunner"/>, which the refresh run calls, and the
    /// <see cref="CredentialRotation"/> it builds on first need) with <see cref="RotationOptions"/> validated at start-up,
    /// and the <see cref="RotationVersionHold"/> that makes a rotating certificate sign with the version its row names.
    /// </summary>
    public static IServiceCollection AddCredentialRotation(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RotationOptions>().BindConfiguration(RotationOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RotationOptions>, RotationOptionsValidator>());
        services.AddAppRegistrationClient();
        services.TryAddSingleton(provider => new RotationStore(provider.GetRequiredService<global::Azure.Data.Tables.TableClient>()));

        // The certificate of a connection in automatic mode signs with the version its rotation row names.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialVersionHold, RotationVersionHold>(provider => new RotationVersionHold(
            provider.GetRequiredService<ConnectionRegistry>(),
            new Lazy<RotationStore>(provider.GetRequiredService<RotationStore>),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RotationVersionHold>>())));
        services.TryAddSingleton(provider => new CertificateRotation(
            provider.GetRequiredService<AppRegistrationClient>(),
            provider.GetRequiredService<CertificateClient>(),
            provider.GetRequiredService<global::Azure.Security.KeyVault.Secrets.SecretClient>(),
            provider.GetRequiredService<ClientCredentialsClient>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<CertificateRotation>>()));
        services.TryAddSingleton(provider => new CredentialRotation(
            provider.GetRequiredService<RotationStore>(),
            provider.GetRequiredService<AppRegistrationClient>(),
            provider.GetRequiredService<global::Azure.Security.KeyVault.Secrets.SecretClient>(),
            provider.GetRequiredService<CertificateRotation>(),
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
