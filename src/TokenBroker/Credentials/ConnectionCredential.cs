using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using TokenBroker.Connections;

namespace TokenBroker.Credentials;

/// <summary>
/// What a connection authenticates with, chosen once when the registry is built: a closed set of types (a client secret,
/// a certificate for <c>private_key_jwt</c>, a federated managed identity token). Each type owns how its credential is
/// loaded, reloaded, listed for the rotation fallback and pinned, what it is called in logs and errors, whether it can
/// rotate, and how it goes on the token request. The registry's list of methods is <see cref="ClientAuthMethods"/>.
/// </summary>
internal abstract class ConnectionCredential
{
    // Closed: every type is in this assembly and listed in ClientAuthMethods.
    private protected ConnectionCredential(ClientAuthMethod method) => Method = method;

    /// <summary>The client authentication method (part of the cache key).</summary>
    public ClientAuthMethod Method { get; }

    /// <summary>What kind of credential it is, in logs and errors: <c>secret</c>, <c>certificate</c>, <c>federated credential</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>What it is called in logs and errors: the secret or certificate name, or the federation audience.</summary>
    public abstract string Name { get; }

    /// <summary>True when a refused credential may have another version to try (reload, previous versions, pinning).</summary>
    public virtual bool CanRotate => false;

    /// <summary>
    /// Where the credential is kept in Key Vault (or its local stand-in), for Key Vault events and an inventory of what
    /// the broker holds; null when nothing is stored (a federated token).
    /// </summary>
    public virtual VaultObject? VaultObject => null;

    /// <summary>What an operator should check when a credential that cannot rotate is refused.</summary>
    public virtual string RefusalHint => "Check the client's registration at the authorization server";

    /// <summary>True when Key Vault's object <paramref name="objectName"/> holds this credential (of whatever kind).</summary>
    public bool IsStoredAs(string objectName) => VaultObject is { } stored && stored.IsNamed(objectName);

    /// <summary>The credential to use now.</summary>
    /// <exception cref="ClientCredentialUnavailableException">It cannot be obtained.</exception>
    public abstract ValueTask<ClientCredential> GetAsync(CredentialServices services, CancellationToken cancellationToken);

    /// <summary>The latest version, read from the source and not from memory.</summary>
    /// <exception cref="ClientCredentialUnavailableException">It cannot be obtained.</exception>
    public abstract ValueTask<ClientCredential> ReloadAsync(CredentialServices services, CancellationToken cancellationToken);

    /// <summary>Older versions that may still be accepted, newest first; none for a credential that cannot rotate.</summary>
    /// <exception cref="ClientCredentialUnavailableException">They cannot be listed or read.</exception>
    public virtual ValueTask<IReadOnlyList<ClientCredential>> GetPreviousVersionsAsync(CredentialServices services, string latestVersion, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ClientCredential>>([]);

    /// <summary>Keeps using <paramref name="credential"/>, a previous version that was accepted, until the latest changes.</summary>
    public virtual void Pin(CredentialServices services, ClientCredential credential)
    {
    }

    /// <summary>
    /// Puts <paramref name="credential"/> on the request (RFC 6749 §2.3.1 for secrets, RFC 7521 §4.2 for assertions) and
    /// adds every value presented to <paramref name="presented"/> (under its lock: an assertion may be signed again on a
    /// retry), so none of them can reach a log through an error_description that echoes it.
    /// </summary>
    public abstract void Apply(ClientCredentialsTokenRequest request, Connection connection, ClientCredential credential, CredentialServices services, List<string> presented);

    public override string ToString() => $"{Kind} {Name}";

    private protected static ClientAssertion JwtBearer(string value) =>
        new() { Type = OidcConstants.ClientAssertionTypes.JwtBearer, Value = value };

    private protected static T Expect<T>(ClientCredential credential)
        where T : ClientCredential =>
        credential as T ?? throw new ArgumentException($"A {typeof(T).Name} was expected, not a {credential?.GetType().Name}.", nameof(credential));
}
