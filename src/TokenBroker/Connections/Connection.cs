using TokenBroker.Caching;
using TokenBroker.Diagnostics;

namespace TokenBroker.Connections;

/// <summary>A validated connection: everything the broker needs to obtain a token for one downstream API.</summary>
internal sealed class Connection
{
    /// <summary>The audience of the managed identity token Entra ID accepts as a federated client assertion (public cloud).</summary>
    public const string DefaultFederationAudience = "api://AzureADTokenExchange";

    internal Connection(
        string name,
        Uri tokenEndpoint,
        string clientId,
        ClientAuthMethod authMethod,
        ScopeSet defaultScopes,
        ScopeSet allowedScopes,
        ConnectionCredential credential)
    {
        Name = name;
        TokenEndpoint = tokenEndpoint;
        ClientId = clientId;
        AuthMethod = authMethod;
        DefaultScopes = defaultScopes;
        AllowedScopes = allowedScopes;
        SecretName = credential.SecretName;
        CertificateName = credential.CertificateName;
        SigningAlgorithm = credential.SigningAlgorithm;
        AssertionAudience = credential.AssertionAudience;
        FederationAudience = credential.FederationAudience;
        DefaultCacheKey = TokenCacheKey.Create(this, defaultScopes);
    }

    /// <summary>The connection's name as configured.</summary>
    public string Name { get; }

    /// <summary>The authorization server's token endpoint.</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>The client id at the authorization server.</summary>
    public string ClientId { get; }

    /// <summary>Name of the secret holding the client secret; set for the two client secret methods only.</summary>
    public string? SecretName { get; }

    /// <summary>Name of the certificate signing client assertions; set for <see cref="ClientAuthMethod.PrivateKeyJwt"/> only.</summary>
    public string? CertificateName { get; }

    /// <summary>The JWS algorithm of client assertions (<c>RS256</c> or <c>PS256</c>); set for <see cref="ClientAuthMethod.PrivateKeyJwt"/> only.</summary>
    public string? SigningAlgorithm { get; }

    /// <summary>
    /// The issuer identifier that <see cref="ClientAuthMethod.PrivateKeyJwt"/> assertions name as their audience, for servers
    /// following draft-ietf-oauth-rfc7523bis; null when they name the token endpoint (RFC 7523, Entra ID).
    /// </summary>
    public string? AssertionAudience { get; }

    /// <summary>
    /// The audience of the managed identity token used as the client assertion; set for
    /// <see cref="ClientAuthMethod.ManagedIdentityFederation"/> only.
    /// </summary>
    public string? FederationAudience { get; }

    /// <summary>Scopes requested when the caller names none.</summary>
    public ScopeSet DefaultScopes { get; }

    /// <summary>Scopes a caller may ask for.</summary>
    public ScopeSet AllowedScopes { get; }

    /// <summary>How the broker authenticates to the authorization server.</summary>
    public ClientAuthMethod AuthMethod { get; }

    /// <summary>What kind of credential the connection uses, in logs: <c>secret</c>, <c>certificate</c> or <c>federated credential</c>.</summary>
    internal string CredentialKind => AuthMethod switch
    {
        ClientAuthMethod.PrivateKeyJwt => "certificate",
        ClientAuthMethod.ManagedIdentityFederation => "federated credential",
        _ => "secret",
    };

    /// <summary>What the credential is called in logs and errors: the secret or certificate name, or the federation audience.</summary>
    internal string CredentialName => SecretName ?? CertificateName ?? FederationAudience ?? string.Empty;

    /// <summary>Hit counts for metrics, kept on the connection so a hit needs no lookup to count.</summary>
    internal ConnectionCounters Counters { get; } = new();

    /// <summary>The cache key for <see cref="DefaultScopes"/>, computed once because it is the hot path.</summary>
    internal TokenCacheKey DefaultCacheKey { get; }

    /// <summary>The cache key for a token of this connection with <paramref name="scopes"/>.</summary>
    internal TokenCacheKey CacheKeyFor(ScopeSet scopes) =>
        scopes.Equals(DefaultScopes) ? DefaultCacheKey : TokenCacheKey.Create(this, scopes);
}
