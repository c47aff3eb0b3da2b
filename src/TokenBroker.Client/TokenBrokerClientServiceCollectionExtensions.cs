using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Client;
using TokenBroker.Client.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the client of the token broker.</summary>
public static class TokenBrokerClientServiceCollectionExtensions
{
    // Token responses are a few KiB; anything larger is not the broker speaking.
    private const int MaxResponseBytes = 64 * 1024;

    /// <summary>
    /// Adds <see cref="IBrokeredTokenProvider"/>, configured from the <c>TokenBrokerClient</c> section of the app's
    /// configuration and validated at start-up.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The builder of the <see cref="HttpClient"/> that calls the broker, for adding a resilience handler to it.</returns>
    public static IHttpClientBuilder AddTokenBrokerClient(this IServiceCollection services) =>
        services.AddTokenBrokerClient(static _ => { });

    /// <summary>
    /// Adds <see cref="IBrokeredTokenProvider"/>, configured from the <c>TokenBrokerClient</c> section of the app's
    /// configuration and then by <paramref name="configure"/>, and validated at start-up.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the broker's address, scope and key; runs after the configuration section is bound.</param>
    /// <returns>The builder of the <see cref="HttpClient"/> that calls the broker, for adding a resilience handler to it.</returns>
    /// <remarks>
    /// Every registration is a <c>TryAdd</c>: register your own <see cref="TimeProvider"/> or <see cref="IBrokeredTokenProvider"/>
    /// first to replace them. The caller's token for the broker comes from the container's <see cref="Azure.Core.TokenCredential"/>
    /// when it has one, otherwise from the app's managed identity.
    /// </remarks>
    public static IHttpClientBuilder AddTokenBrokerClient(this IServiceCollection services, Action<TokenBrokerClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = AddCore(services);

        // After the section is bound, so code has the last word.
        services.Configure(configure);
        return builder;
    }

    /// <summary>The registrations behind both <c>AddTokenBrokerClient</c> and <c>AddBrokeredToken</c>; safe to run more than once.</summary>
    internal static IHttpClientBuilder AddCore(IServiceCollection services)
    {
        if (services.Any(service => service.ServiceType == typeof(BrokerHttpClient)))
        {
            return services.AddHttpClient(TokenBrokerClientOptions.HttpClientName);
        }

        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<TokenBrokerClientOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TokenBrokerClientOptions>, TokenBrokerClientConfiguration>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenBrokerClientOptions>, TokenBrokerClientOptionsValidator>());
        services.TryAddSingleton<BrokerHttpClient>();
        services.TryAddSingleton<IBrokeredTokenProvider, BrokeredTokenProvider>();
        return services.AddHttpClient(TokenBrokerClientOptions.HttpClientName, static client => client.MaxResponseContentBufferSize = MaxResponseBytes);
    }
}
