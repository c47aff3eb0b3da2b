using TokenBroker.Caching;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;
using TokenBroker.Lifecycle;

namespace TokenBroker.Connections;

/// <summary>A validated connection: everything the broker needs to obtain a token for one downstream API.</summary>
internal sealed class Connection
{
    internal Connection(
        string name,
        Uri tokenEndpoint,
        string clientId,
        ScopeSet defaultScopes,
        ScopeSet allowedScopes,
        ConnectionCredential credential,
        CredentialLifecycle? lifecycle = null)
    {
        Name = name;
        TokenEndpoint = tokenEndpoint;
        ClientId = clientId;
        DefaultScopes = defaultScopes;
        AllowedScopes = allowedScopes;
        Credential = credential;
        Lifecycle = lifecycle ?? CredentialLifecycle.Default;
        DefaultCacheKey = TokenCacheKey.Create(this, defaultScopes);
    }

    /// <summary>The connection's name as configured.</summary>
    public string Name { get; }

    /// <summary>The authorization server's token endpoint.</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>The client id at the authorization server.</summary>
    public string ClientId { get; }

    /// <summary>Scopes requested when the caller names none.</summary>
    public ScopeSet DefaultScopes { get; }

    /// <summary>Scopes a caller may ask for.</summary>
    public ScopeSet AllowedScopes { get; }

    /// <summary>How the broker authenticates to the authorization server.</summary>
    public ClientAuthMethod AuthMethod => Credential.Method;

    /// <summary>What the connection authenticates with: its secret, certificate or federated credential, and how to use it.</summary>
    internal ConnectionCredential Credential { get; }

    /// <summary>How the credential's expiry is watched and who rotates it.</summary>
    internal CredentialLifecycle Lifecycle { get; }

    /// <summary>Hit counts for metrics, kept on the connection so a hit needs no lookup to count.</summary>
    internal ConnectionCounters Counters { get; } = new();

    /// <summary>The cache key for <see cref="DefaultScopes"/>, computed once because it is the hot path.</summary>
    internal TokenCacheKey DefaultCacheKey { get; }

    /// <summary>The cache key for a token of this connection with <paramref name="scopes"/>.</summary>
    internal TokenCacheKey CacheKeyFor(ScopeSet scopes) =>
        scopes.Equals(DefaultScopes) ? DefaultCacheKey : TokenCacheKey.Create(this, scopes);
}
