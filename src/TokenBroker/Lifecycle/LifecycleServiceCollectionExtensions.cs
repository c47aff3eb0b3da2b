using Azure.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenBroker.Lifecycle;

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
}
