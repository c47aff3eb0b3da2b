namespace TokenBroker.Connections;

/// <summary>
/// One downstream API the broker obtains tokens for, bound from <c>TokenBroker:Connections:{name}</c>.
/// </summary>
public sealed class ConnectionOptions
{
    /// <summary>The authorization server's token endpoint: an absolute https URL (http only for loopback hosts).</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary>The client id registered at the authorization server.</summary>
    public string? ClientId { get; set; }

    /// <summary>Name of the secret (Key Vault, or local configuration) holding the client secret.</summary>
    public string? SecretName { get; set; }

    /// <summary>Space-separated scopes requested when a caller does not name any.</summary>
    public string? Scopes { get; set; }

    /// <summary>Space-separated scopes a caller may ask for. Defaults to <see cref="Scopes"/>.</summary>
    public string? AllowedScopes { get; set; }

    /// <summary><c>client_secret_basic</c> (default) or <c>client_secret_post</c>.</summary>
    public string? AuthMethod { get; set; }
}
