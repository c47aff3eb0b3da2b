using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenBroker.Access;

/// <summary>Registers caller identity and the access policy.</summary>
internal static class AccessServiceCollectionExtensions
{
    public static IServiceCollection AddAccessControl(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CallerOptions>().Bind(configuration.GetSection(CallerOptions.SectionName)).ValidateOnStart();
        services.AddOptions<AccessOptions>().Bind(configuration.GetSection(AccessOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CallerOptions>, CallerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>());
        services.AddHttpClient(CallerAuthenticator.MetadataHttpClientName)
            .ConfigureHttpClient((sp, client) => client.Timeout = sp.GetRequiredService<IOptions<CallerOptions>>().Value.MetadataTimeout);
        // Public as a handle for the Functions worker's function classes, so its constructor is internal: a factory.
        services.TryAddSingleton(sp => new CallerAuthenticator(
            sp.GetRequiredService<IOptions<CallerOptions>>(),
            sp.GetRequiredService<IHostEnvironment>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<ILogger<CallerAuthenticator>>()));
        services.TryAddSingleton<AccessPolicy>();
        return services;
    }
}
