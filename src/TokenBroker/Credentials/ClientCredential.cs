namespace TokenBroker.Credentials;

/// <summary>
/// What the broker authenticates to an authorization server with (a client secret, a certificate, a federated token) and
/// the version it came from. Subclasses never print their secret part: <see cref="ToString"/> names the version only.
/// </summary>
internal abstract class ClientCredential
{
    private protected ClientCredential(string version) => Version = version ?? string.Empty;

    /// <summary>The version (Key Vault's version id, a digest for local sources, or <c>federated</c>), for rotation diagnostics.</summary>
    public string Version { get; }

    /// <inheritdoc />
    public abstract override string ToString();
}
