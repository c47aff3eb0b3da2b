using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace TokenBroker.Connections;

/// <summary>The configured connections, validated once at start-up and looked up case-insensitively.</summary>
public sealed class ConnectionRegistry
{
    private readonly FrozenDictionary<string, Connection> _connections;

    /// <summary>Builds the registry from validated options.</summary>
    public ConnectionRegistry(IOptions<TokenBrokerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connections = options.Value.Connections
            .Select(pair => Create(pair.Key, pair.Value))
            .ToFrozenDictionary(connection => connection.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every connection.</summary>
    public IEnumerable<Connection> All => _connections.Values;

    /// <summary>Finds a connection by name.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out Connection? connection) =>
        _connections.TryGetValue(name, out connection);

    // The validator has already proved every field; this only converts.
    private static Connection Create(string name, ConnectionOptions options)
    {
        var defaultScopes = ScopeSet.Parse(options.Scopes);
        var allowedScopes = string.IsNullOrWhiteSpace(options.AllowedScopes) ? defaultScopes : ScopeSet.Parse(options.AllowedScopes);
        var method = ClientAuthMethodNames.TryParse(options.AuthMethod, out var parsed) ? parsed.Value : ClientAuthMethod.ClientSecretBasic;
        var credential = method switch
        {
            ClientAuthMethod.PrivateKeyJwt => ConnectionCredential.Certificate(
                options.CertificateName!.Trim(),
                SigningAlgorithmNames.Normalize(options.SigningAlgorithm)!,
                string.IsNullOrWhiteSpace(options.AssertionAudience) ? null : options.AssertionAudience.Trim()),
            ClientAuthMethod.ManagedIdentityFederation => ConnectionCredential.Federation(
                string.IsNullOrWhiteSpace(options.FederationAudience) ? Connection.DefaultFederationAudience : options.FederationAudience.Trim()),
            _ => ConnectionCredential.Secret(options.SecretName!.Trim()),
        };
        return new Connection(
            name,
            new Uri(options.TokenEndpoint!, UriKind.Absolute),
            options.ClientId!.Trim(),
            method,
            defaultScopes,
            allowedScopes,
            credential);
    }
}
