using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using TokenBroker.DevAuthorizationServer.Internal;

namespace TokenBroker.DevAuthorizationServer;

/// <summary>
/// The certificates whose keys may sign each registered client's <c>private_key_jwt</c> assertions. Like a Microsoft
/// Entra ID app registration, a client may hold several at once, so tests can rotate (add the new, then remove the old)
/// and revoke certificates while the server runs. An assertion signed by any other key gets <c>invalid_client</c>.
/// </summary>
/// <remarks>
/// OpenIddict reads a client's keys from its application's JSON Web Key Set. Rewriting the stored application on every
/// rotation would race the token requests under test through a scoped manager and OpenIddict's application cache, so
/// this process-lifetime registry swaps a client's set atomically instead, and the application manager answers with it.
/// Only public keys are kept.
/// </remarks>
public sealed class DevClientCertificates
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<X509Certificate2>> _certificatesByClient = new(StringComparer.Ordinal);
    private readonly ILogger<DevClientCertificates> _logger;

    internal DevClientCertificates(IOptions<DevAuthorizationServerOptions> options, ILogger<DevClientCertificates> logger)
    {
        _logger = logger;
        foreach (var client in options.Value.Clients)
        {
            _certificatesByClient[client.ClientId] = [.. client.Certificates.Select(pem => PublicPart(X509Certificate2.CreateFromPem(pem))).DistinctBy(c => c.Thumbprint)];
        }
    }

    /// <summary>Accepts assertions signed with <paramref name="certificate"/>'s key for the client, alongside its other certificates.</summary>
    /// <param name="clientId">A client registered in <see cref="DevAuthorizationServerOptions.Clients"/>.</param>
    /// <param name="certificate">The certificate to trust from now on; only its public part is kept.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="ArgumentException">The client is not registered.</exception>
    public Task AddAsync(string clientId, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var added = PublicPart(certificate);
        Update(clientId, certificates =>
        {
            if (!certificates.Exists(c => c.Thumbprint == added.Thumbprint))
            {
                certificates.Add(added);
            }
        });
        return Task.CompletedTask;
    }

    /// <summary>Revokes <paramref name="certificate"/>; assertions signed with its key get <c>invalid_client</c>.</summary>
    /// <param name="clientId">A client registered in <see cref="DevAuthorizationServerOptions.Clients"/>.</param>
    /// <param name="certificate">The certificate to stop trusting. Removing one the client does not have does nothing.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="ArgumentException">The client is not registered.</exception>
    public Task RemoveAsync(string clientId, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Update(clientId, certificates => certificates.RemoveAll(c => c.Thumbprint == certificate.Thumbprint));
        return Task.CompletedTask;
    }

    /// <summary>Trusts exactly <paramref name="certificates"/> for the client; none revokes them all.</summary>
    /// <param name="clientId">A client registered in <see cref="DevAuthorizationServerOptions.Clients"/>.</param>
    /// <param name="certificates">The certificates to trust from now on.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="ArgumentException">The client is not registered.</exception>
    public Task ReplaceAsync(string clientId, params X509Certificate2[] certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var replacement = certificates.Select(PublicPart).DistinctBy(c => c.Thumbprint).ToList();
        Update(clientId, current =>
        {
            current.Clear();
            current.AddRange(replacement);
        });
        return Task.CompletedTask;
    }

    /// <summary>The client's current keys as OpenIddict reads them, or null when it has no certificate.</summary>
    internal JsonWebKeySet? KeySetOf(string clientId)
    {
        X509Certificate2[] certificates;
        lock (_gate)
        {
            if (!_certificatesByClient.TryGetValue(clientId, out var current) || current.Count == 0)
            {
                return null;
            }

            certificates = [.. current];
        }

        var set = new JsonWebKeySet();
        foreach (var certificate in certificates)
        {
            // kid is the SHA-1 thumbprint, as IdentityModel names an X509SecurityKey, so a signer's kid finds its key.
            var key = JsonWebKeyConverter.ConvertFromX509SecurityKey(new X509SecurityKey(certificate), representAsRsaKey: true);
            key.Use = JsonWebKeyUseNames.Sig;
            set.Keys.Add(key);
        }

        return set;
    }

    private void Update(string clientId, Action<List<X509Certificate2>> change)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        int count;
        lock (_gate)
        {
            if (!_certificatesByClient.TryGetValue(clientId, out var certificates))
            {
                throw new ArgumentException(
                    $"Client '{clientId}' is not registered with this development authorization server.",
                    nameof(clientId));
            }

            change(certificates);
            count = certificates.Count;
        }

        _logger.CertificatesChanged(clientId, count);
    }

    // The server only ever verifies: a private key handed in by a test is dropped here.
    private static X509Certificate2 PublicPart(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadCertificate(certificate.RawData);
}
