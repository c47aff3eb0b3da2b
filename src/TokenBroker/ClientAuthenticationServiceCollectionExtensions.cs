using Azure.Core;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Acquisition;
using TokenBroker.Certificates;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;
using TokenBroker.Federation;
using TokenBroker.Secrets;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers how connections authenticate: secrets, certificates (<c>private_key_jwt</c>) and workload identity federation.</summary>
internal static class ClientAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Adds the credential store the token acquirer asks, the certificate cache over Key Vault (or local files in
    /// Development), the managed identity assertion source and the client assertion signer. The assertion handler is part
    /// of the token endpoint client's chain, registered with it by <c>AddTokenBroker</c>.
    /// </summary>
    public static IServiceCollection AddClientAuthentication(this IServiceCollection services)
    {
        services.TryAddSingleton<ClientAssertionFactory>();
        services.TryAddSingleton<ClientCredentialStore>();
        services.TryAddSingleton<ManagedIdentityAssertionSource>();
        services.TryAddSingleton(CreateCertificateCache);
        services.TryAddSingleton(CreateCertificateSource);
        services.TryAddSingleton(sp =>
        {
            var vault = sp.GetRequiredService<IOptions<TokenBrokerOptions>>().Value.KeyVaultUri
                ?? throw new InvalidOperationException($"{TokenBrokerOptions.SectionName}:KeyVaultUri is not set.");
            return new CertificateClient(vault, sp.GetRequiredService<TokenCredential>(), KeyVaultClientSettings.Apply(new CertificateClientOptions(), vault));
        });
        return services;
    }

    private static CredentialCache<ClientCertificate> CreateCertificateCache(IServiceProvider services)
    {
        var cache = new CredentialCache<ClientCertificate>(
            services.GetRequiredService<ICredentialSource<ClientCertificate>>(),
            "certificate",
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<IOptions<TokenBrokerOptions>>().Value.SecretCacheDuration,
            services.GetRequiredService<TokenBrokerMetrics>().CertificateReloaded,
            services.GetRequiredService<ILoggerFactory>().CreateLogger("TokenBroker.Certificates.CertificateCache"));

        // Key Vault events reach the secret cache; a certificate's key is its secret of the same name (both singletons).
        services.GetRequiredService<SecretCache>().Invalidated += cache.Invalidate;
        return cache;
    }

    private static ICredentialSource<ClientCertificate> CreateCertificateSource(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<TokenBrokerOptions>>();
        return options.Value.KeyVaultUri is null
            ? new ConfigurationCertificateSource(options)
            : new KeyVaultCertificateSource(
                services.GetRequiredService<CertificateClient>(),
                services.GetRequiredService<SecretClient>(),
                services.GetRequiredService<TimeProvider>());
    }
}
