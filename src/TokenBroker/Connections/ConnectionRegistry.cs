using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using TokenBroker.Credentials;
using TokenBroker.Lifecycle;

namespace TokenBroker.Connections;

/// <summary>The configured connections, validated once at start-up and looked up case-insensitively.</summary>
internal sealed class ConnectionRegistry
{
    private readonly FrozenDictionary<string, Connection> _connections;
    private readonly FrozenDictionary<string, Connection> _byConfigurationKey;

    /// <summary>Builds the registry from validated options.</summary>
    public ConnectionRegistry(IOptions<TokenBrokerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Value.Connections
            .Select(pair => (Key: pair.Key, Connection: Create(TokenBrokerOptions.EffectiveName(pair.Key, pair.Value), pair.Value)))
            .ToList();
        _connections = configured.ToFrozenDictionary(c => c.Connection.Name, c => c.Connection, StringComparer.OrdinalIgnoreCase);
        _byConfigurationKey = configured.ToFrozenDictionary(c => c.Key, c => c.Connection, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every connection.</summary>
    public IEnumerable<Connection> All => _connections.Values;

    /// <summary>Finds a connection by name.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out Connection? connection) =>
        _connections.TryGetValue(name, out connection);

    /// <summary>
    /// Finds a connection by name or by its configuration key, for settings that refer to connections (access rules):
    /// callers only ever use the name.
    /// </summary>
    internal bool TryGetConfigured(string nameOrKey, [NotNullWhen(true)] out Connection? connection) =>
        _connections.TryGetValue(nameOrKey, out connection) || _byConfigurationKey.TryGetValue(nameOrKey, out connection);

    // The validator has already proved every field; this only converts. The method's credential type is chosen here, once.
    private static Connection Create(string name, ConnectionOptions options)
    {
        var defaultScopes = ScopeSet.Parse(options.Scopes);
        var allowedScopes = options.AllowedScopesDefaulted ? defaultScopes : ScopeSet.Parse(options.AllowedScopes);
        var method = ClientAuthMethods.TryFind(options.AuthMethod, out var registration) ? registration : ClientAuthMethods.All[0];
        return new Connection(
            name,
            new Uri(options.TokenEndpoint!, UriKind.Absolute),
            options.ClientId!.Trim(),
            defaultScopes,
            allowedScopes,
            method.Create(options),
            CredentialLifecycle.Create(options));
    }
}
