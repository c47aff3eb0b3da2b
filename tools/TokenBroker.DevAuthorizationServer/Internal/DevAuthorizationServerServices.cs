using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>The service registrations of one development authorization server.</summary>
internal static class DevAuthorizationServerServices
{
    public static IServiceCollection AddDevAuthorizationServer(
        this IServiceCollection services, Action<DevAuthorizationServerOptions>? configure)
    {
        services.AddOptions<DevAuthorizationServerOptions>()
            .BindConfiguration(DevAuthorizationServerOptions.SectionName)
            .Configure(options => configure?.Invoke(options))
            .PostConfigure(AddManagedIdentity)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DevAuthorizationServerOptions>, DevAuthorizationServerOptionsValidator>();

        services.Configure<KeyManagementOptions>(options => options.XmlRepository = new InMemoryXmlRepository());

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TokenRequestLog>();
        services.AddSingleton(provider => new DevClientSecrets(
            provider.GetRequiredService<IOptions<DevAuthorizationServerOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<DevClientSecrets>>()));
        services.AddSingleton(provider => new DevClientCertificates(
            provider.GetRequiredService<IOptions<DevAuthorizationServerOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<DevClientCertificates>>()));
        services.AddSingleton<GraphCallerAuthenticator>();
        services.AddSingleton<GraphEndpoint>();
        services.AddSingleton<DevVault>();

        // Tests start several servers in one process; a database name of their own keeps their clients apart.
        var databaseName = $"TokenBroker.DevAuthorizationServer.{Guid.NewGuid():N}";
        services.AddDbContext<DevAuthorizationDbContext>(options =>
        {
            options.UseInMemoryDatabase(databaseName);
            options.UseOpenIddict();
        });

        services.AddOpenIddict()
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<DevAuthorizationDbContext>();
                core.ReplaceApplicationManager<OpenIddictEntityFrameworkCoreApplication, MultiSecretApplicationManager>();
            })
            .AddServer(server =>
            {
                server.SetTokenEndpointUris(TokenEndpoint.Path.TrimStart('/'));
                server.AllowClientCredentialsFlow();

                // No issuer is set: OpenIddict then uses the request's base URI, which stays right
                // when tests bind port 0 and only learn the port after start.

                // Keys of this server only, gone when it stops. Not AddEphemeralSigningKey(): OpenIddict 7
                // makes those RSA 4096, which takes seconds per server to generate on a small machine.
                // RSA 2048 is the size Entra ID signs with; the encryption key never leaves this process
                // (access tokens are not encrypted), so a symmetric one costs nothing to make.
                server.AddSigningKey(new RsaSecurityKey(RSA.Create(2048)));
                server.AddEncryptionKey(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)));

                // Resource servers must read the tokens as plain JWS, as they would Entra ID's.
                server.DisableAccessTokenEncryption();

                // Client assertions (private_key_jwt) are validated against each client's current
                // DevClientCertificates; OpenIddict does not remember their jti values, this does.
                server.AddEventHandler(RejectReplayedClientAssertions.Descriptor);

                server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
            });

        // Lifetime and scopes come from options, which are known only once configuration is bound.
        services.AddOptions<OpenIddictServerOptions>()
            .Configure<IOptions<DevAuthorizationServerOptions>>((server, dev) =>
            {
                server.AccessTokenLifetime = dev.Value.AccessTokenLifetime;

                // Listed in the discovery document's scopes_supported; the scope manager holds them too.
                server.Scopes.UnionWith(dev.Value.Clients.SelectMany(client => client.Scopes));
            });

        services.AddSingleton<RejectReplayedClientAssertions>();
        services.AddHostedService<ClientRegistrationSeeder>();
        return services;
    }

    // The managed identity of the development vault is a client of this server with Graph's scope and a secret made per
    // start, owning every other client, as the broker's identity owns its connections' app registrations in Entra ID.
    private static void AddManagedIdentity(DevAuthorizationServerOptions options)
    {
        var vault = options.Vault;
        if (!vault.Enabled || options.Clients.Exists(client => client.ClientId == vault.IdentityClientId))
        {
            return;
        }

        foreach (var client in options.Clients.Where(client => !client.Owners.Contains(vault.IdentityClientId)))
        {
            client.Owners.Add(vault.IdentityClientId);
        }

        var identity = new DevClientRegistration { ClientId = vault.IdentityClientId };
        identity.Secrets.Add(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        identity.Scopes.Add(GraphCallerAuthenticator.Resource + "/.default");
        options.Clients.Add(identity);
    }
}
