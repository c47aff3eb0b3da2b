using TokenBroker.Certificates;
using TokenBroker.Connections;
using TokenBroker.Federation;
using TokenBroker.Secrets;

namespace TokenBroker.Credentials;

/// <summary>
/// A connection's credential, whatever its method: the secret or certificate from its cache (with the rotation overlap:
/// reload, previous versions, pinning), or a fresh federated assertion, which has no versions to fall back on.
/// </summary>
internal sealed class ClientCredentialStore(
    SecretCache secrets,
    CredentialCache<ClientCertificate> certificates,
    ManagedIdentityAssertionSource federation)
{
    /// <summary>False when a refused credential has no other version to try (workload identity federation).</summary>
    public static bool CanRotate(Connection connection) => connection.AuthMethod != ClientAuthMethod.ManagedIdentityFederation;

    /// <summary>The credential to use now.</summary>
    /// <exception cref="ClientCredentialUnavailableException">It cannot be obtained.</exception>
    public async ValueTask<ClientCredential> GetAsync(Connection connection, CancellationToken cancellationToken) => connection.AuthMethod switch
    {
        ClientAuthMethod.PrivateKeyJwt => await certificates.GetAsync(connection.CertificateName!, cancellationToken),
        ClientAuthMethod.ManagedIdentityFederation => await federation.GetAsync(connection, cancellationToken),
        _ => await secrets.GetAsync(connection.SecretName!, cancellationToken),
    };

    /// <summary>The latest version, read from the source and not from memory.</summary>
    /// <exception cref="ClientCredentialUnavailableException">It cannot be obtained.</exception>
    public async ValueTask<ClientCredential> ReloadAsync(Connection connection, CancellationToken cancellationToken) => connection.AuthMethod switch
    {
        ClientAuthMethod.PrivateKeyJwt => await certificates.ReloadAsync(connection.CertificateName!, cancellationToken),
        ClientAuthMethod.ManagedIdentityFederation => await federation.GetAsync(connection, cancellationToken),
        _ => await secrets.ReloadAsync(connection.SecretName!, cancellationToken),
    };

    /// <summary>Older versions that may still be accepted, newest first.</summary>
    /// <exception cref="ClientCredentialUnavailableException">They cannot be listed or read.</exception>
    public async ValueTask<IReadOnlyList<ClientCredential>> GetPreviousVersionsAsync(Connection connection, string latestVersion, CancellationToken cancellationToken) =>
        connection.AuthMethod switch
        {
            ClientAuthMethod.PrivateKeyJwt => await certificates.GetPreviousVersionsAsync(connection.CertificateName!, latestVersion, cancellationToken),
            ClientAuthMethod.ManagedIdentityFederation => [],
            _ => await secrets.GetPreviousVersionsAsync(connection.SecretName!, latestVersion, cancellationToken),
        };

    /// <summary>Keeps using <paramref name="credential"/>, a previous version that was accepted, until the latest changes.</summary>
    public void Pin(Connection connection, ClientCredential credential)
    {
        switch (credential)
        {
            case ClientCertificate certificate:
                certificates.Pin(connection.CertificateName!, certificate);
                break;
            case ClientSecret secret:
                secrets.Pin(connection.SecretName!, secret);
                break;
        }
    }
}
