using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>Registers the configured scopes and clients in the OpenIddict store when the host starts.</summary>
internal sealed class ClientRegistrationSeeder(
    IServiceScopeFactory scopeFactory,
    IOptions<DevAuthorizationServerOptions> options,
    ILogger<ClientRegistrationSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clients = options.Value.Clients;
        if (clients.Count == 0)
        {
            logger.NoClientsConfigured();
            return;
        }

        // The managers are scoped, like the DbContext they sit on.
        await using var scope = scopeFactory.CreateAsyncScope();
        var scopeManager = scope.ServiceProvider.GetRequiredService<IOpenIddictScopeManager>();
        var applicationManager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();

        foreach (var name in clients.SelectMany(client => client.Scopes).Distinct(StringComparer.Ordinal))
        {
            await scopeManager.CreateAsync(new OpenIddictScopeDescriptor { Name = name }, cancellationToken);
        }

        foreach (var client in clients)
        {
            await applicationManager.CreateAsync(Describe(client), cancellationToken);
            logger.ClientRegistered(client.ClientId, client.Scopes, client.Secrets.Count, client.Certificates.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static OpenIddictApplicationDescriptor Describe(DevClientRegistration client)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientType = ClientTypes.Confidential,
            DisplayName = client.ClientId,

            // OpenIddict refuses a confidential application without a stored secret, but the real
            // ones live in DevClientSecrets, which the application manager consults instead. This
            // random value is hashed, stored and never compared against anything. Keys for client
            // assertions likewise come from DevClientCertificates, not from the stored application.
            ClientSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        descriptor.Permissions.Add(Permissions.Endpoints.Token);
        descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
        foreach (var scope in client.Scopes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        return descriptor;
    }
}
