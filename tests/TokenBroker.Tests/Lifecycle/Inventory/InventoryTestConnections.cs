using Microsoft.Extensions.Options;
using TokenBroker.Connections;

namespace TokenBroker.Tests.Lifecycle.Inventory;

/// <summary>Connections as the registry builds them from configuration, each with a Key Vault secret of its own.</summary>
internal static class InventoryTestConnections
{
    public static ConnectionRegistry Registry(int count, string prefix = "c")
    {
        var options = new TokenBrokerOptions();
        for (var i = 0; i < count; i++)
        {
            var name = $"{prefix}{i:D5}";
            options.Connections[name] = new ConnectionOptions
            {
                TokenEndpoint = "https://login.example.test/tenant/oauth2/v2.0/token",
                ClientId = "client-" + name,
                SecretName = "secret-" + name,
                Scopes = "api.read",
            };
        }

        return new ConnectionRegistry(Options.Create(options));
    }
}
