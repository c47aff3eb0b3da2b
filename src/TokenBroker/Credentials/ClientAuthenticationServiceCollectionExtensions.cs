using Azure.Core;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenBroker.Acquisition;
using TokenBroker.Certificates;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Federation;
using TokenBroker.Secrets;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers how connections authenticate: where secrets and certificates come from (Key Vault, or configuration and
/// files in Development), the one versioned cache over them, the managed identity assertion source and the client
/// assertion signer. Every registration is a <c>TryAdd</c>, and none depends on another being there first.
/// </summary>
internal static class ClientAuthenticationServiceCollectionExtensions
{
    public static IServiceCollection AddClientAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        // The same section as TokenBrokerOptions, so the keys (TokenBroker:KeyVaultUri, …) are the ones they always were.
        services.AddOptions<CredentialSourceOptions>().Bind(configuration.GetSection(TokenBrokerOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CredentialSourceOptions>, CredentialSourceOptionsValidator>());

        services.TryAddSingleton<CredentialCache>();
        services.TryAddSingleton<CredentialServices>();
        services.TryAddSingleton<ManagedIdentityAssertionSource>();
        services.TryAddSingleton<ClientAssertionFactory>();

        // One source per kind, Key Vault when a vault is configured; the cache receives them all.
        services.TryAddSingleton(SecretSource);
        services.TryAddSingleton(CertificateSource);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialSource, ICredentialSource<ClientSecret>>(sp => sp.GetRequiredService<ICredentialSource<ClientSecret>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialSource, ICredentialSource<ClientCertificate>>(sp => sp.GetRequiredService<ICredentialSource<ClientCertificate>>()));

        // The SDK clients take their options at construction, from the vault's URI.
        services.TryAddSingleton(sp =>
        {
            var vault = VaultUri(sp);
            return new SecretClient(vault, sp.GetRequiredService<TokenCredential>(), KeyVaultClientSettings.Apply(new SecretClientOptions(), vault));
        });
        services.TryAddSingleton(sp =>
        {
            var vault = VaultUri(sp);
            return new CertificateClient(vault, sp.GetRequiredService<TokenCredential>(), KeyVaultClientSettings.Apply(new CertificateClientOptions(), vault));
        });
        return services;
    }

    private static Uri VaultUri(IServiceProvider services) =>
        services.GetRequiredService<IOptions<CredentialSourceOptions>>().Value.KeyVaultUri
        ?? throw new InvalidOperationException($"{TokenBrokerOptions.SectionName}:KeyVaultUri is not set.");

    private static ICredentialSource<ClientSecret> SecretSource(IServiceProvider services) =>
        services.GetRequiredService<IOptions<CredentialSourceOptions>>().Value.KeyVaultUri is null
            ? ActivatorUtilities.CreateInstance<ConfigurationSecretSource>(services)
            : ActivatorUtilities.CreateInstance<KeyVaultSecretSource>(services);

    private static ICredentialSource<ClientCertificate> CertificateSource(IServiceProvider services) =>
        services.GetRequiredService<IOptions<CredentialSourceOptions>>().Value.KeyVaultUri is null
            ? ActivatorUtilities.CreateInstance<ConfigurationCertificateSource>(services)
            : ActivatorUtilities.CreateInstance<KeyVaultCertificateSource>(services);
}
