using TokenBroker.Caching;

namespace TokenBroker.Connections;

/// <summary>A validated connection: everything the broker needs to obtain a token for one downstream API.</summary>
public sealed class Connection
{
    internal Connection(
        string name,
        Uri tokenEndpoint,
        string clientId,
        string secretName,
        ScopeSet defaultScopes,
        ScopeSet allowedScopes,
        ClientAuthMethod authMethod)
    {
        Name = name;
        TokenEndpoint = tokenEndpoint;
        ClientId = clientId;
        SecretName = secretName;
        DefaultScopes = defaultScopes;
        AllowedScopes = allowedScopes;
        AuthMethod = authMethod;
        DefaultCacheKey = TokenCacheKey.Create(this, defaultScopes);
    }

    /// <summary>The connection's name as configured.</summary>
    public string Name { get; }

    /// <summary>The authorization server's token endpoint.</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>The client id at the authorization server.</summary>
    public string ClientId { get; }

    /// <summary>Name of the secret holding the client secret.</summary>
    public string SecretName { get; }

    /// <summary>Scopes requested when the caller names none.</summary>
    public ScopeSet DefaultScopes { get; }

    /// <summary>Scopes a caller may ask for.</summary>
    public ScopeSet AllowedScopes { get; }

    /// <summary>How the broker authenticates to the authorization server.</summary>
    public ClientAuthMethod AuthMethod { get; }

    /// <summary>The cache key for <see cref="DefaultScopes"/>, computed once because it is the hot path.</summary>
    internal TokenCacheKey DefaultCacheKey { get; }

    /// <summary>The cache key for a token of this connection with <paramref name="scopes"/>.</summary>
    internal TokenCacheKey CacheKeyFor(ScopeSet scopes) =>
        scopes.Equals(DefaultScopes) ? DefaultCacheKey : TokenCacheKey.Create(this, scopes);
}
