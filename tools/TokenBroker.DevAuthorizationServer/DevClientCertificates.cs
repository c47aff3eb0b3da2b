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
/// Only public keys are kept. Each certificate is also an Entra-style <c>keyCredential</c> (key id, start and end), which
/// the Graph-compatible endpoint lists, adds and removes; one added there verifies assertions only after
/// <see cref="DevAuthorizationServerOptions.CredentialPropagationDelay"/>, and none outside its dates.
/// </remarks>
public sealed class DevClientCertificates
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<KeyEntry>> _entriesByClient = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger<DevClientCertificates> _logger;

    internal DevClientCertificates(IOptions<DevAuthorizationServerOptions> options, TimeProvider time, ILogger<DevClientCertificates> logger)
    {
        _time = time;
        _logger = logger;
        foreach (var client in options.Value.Clients)
        {
            _entriesByClient[client.ClientId] = [.. client.Certificates
                .Select(pem => PublicPart(X509Certificate2.CreateFromPem(pem)))
                .DistinctBy(c => c.Thumbprint)
                .Select(certificate => Entry(certificate, DateTimeOffset.MinValue))];
        }
    }

    /// <summary>Accepts assertions signed with <paramref name="certificate"/>'s key for the client at once, alongside its other certificates.</summary>
    /// <param name="clientId">A client registered in <see cref="DevAuthorizationServerOptions.Clients"/>.</param>
    /// <param name="certificate">The certificate to trust from now on; only its public part is kept.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="ArgumentException">The client is not registered.</exception>
    public Task AddAsync(string clientId, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var added = Entry(PublicPart(certificate), DateTimeOffset.MinValue);
        Update(clientId, entries =>
        {
            if (!entries.Exists(e => e.Certificate.Thumbprint == added.Certificate.Thumbprint))
            {
                entries.Add(added);
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
        Update(clientId, entries => entries.RemoveAll(e => e.Certificate.Thumbprint == certificate.Thumbprint));
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
        var replacement = certificates.Select(PublicPart).DistinctBy(c => c.Thumbprint).Select(c => Entry(c, DateTimeOffset.MinValue)).ToList();
        Update(clientId, current =>
        {
            current.Clear();
            current.AddRange(replacement);
        });
        return Task.CompletedTask;
    }

    /// <summary>The keys OpenIddict may verify the client's assertions with now, or null when it has none.</summary>
    internal JsonWebKeySet? KeySetOf(string clientId)
    {
        var now = _time.GetUtcNow();
        X509Certificate2[] certificates;
        lock (_gate)
        {
            if (!_entriesByClient.TryGetValue(clientId, out var current))
            {
                return null;
            }

            certificates = [.. current.Where(entry => entry.AuthenticatesAt(now)).Select(entry => entry.Certificate)];
        }

        if (certificates.Length == 0)
        {
            return null;
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

    /// <summary>The client's key credentials, oldest first; empty for an unknown client.</summary>
    internal IReadOnlyList<KeyEntry> List(string clientId)
    {
        lock (_gate)
        {
            return _entriesByClient.TryGetValue(clientId, out var entries) ? [.. entries] : [];
        }
    }

    /// <summary>Adds a certificate as Graph's addKey does; null when the client already has a credential for it.</summary>
    internal KeyEntry? Add(string clientId, X509Certificate2 certificate, string? displayName, DateTimeOffset? startsOn, DateTimeOffset? endsOn, DateTimeOffset usableFrom)
    {
        var entry = Entry(PublicPart(certificate), usableFrom) with { DisplayName = displayName };
        entry = entry with { StartsOn = startsOn ?? entry.StartsOn, EndsOn = endsOn ?? entry.EndsOn };
        var added = false;
        Update(clientId, entries =>
        {
            if (!entries.Exists(e => e.Certificate.Thumbprint == entry.Certificate.Thumbprint))
            {
                entries.Add(entry);
                added = true;
            }
        });
        return added ? entry : null;
    }

    /// <summary>Removes the credential with <paramref name="keyId"/>; false when the client has none with that id.</summary>
    internal bool Remove(string clientId, Guid keyId)
    {
        var removed = 0;
        Update(clientId, entries => removed = entries.RemoveAll(entry => entry.KeyId == keyId));
        return removed > 0;
    }

    private void Update(string clientId, Action<List<KeyEntry>> change)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        int count;
        lock (_gate)
        {
            if (!_entriesByClient.TryGetValue(clientId, out var entries))
            {
                throw new ArgumentException(
                    $"Client '{clientId}' is not registered with this development authorization server.",
                    nameof(clientId));
            }

            change(entries);
            count = entries.Count;
        }

        _logger.CertificatesChanged(clientId, count);
    }

    private static KeyEntry Entry(X509Certificate2 certificate, DateTimeOffset usableFrom) =>
        new(Guid.NewGuid(), certificate, null, new DateTimeOffset(certificate.NotBefore.ToUniversalTime()), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()), usableFrom);

    // The server only ever verifies: a private key handed in by a test is dropped here.
    private static X509Certificate2 PublicPart(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadCertificate(certificate.RawData);
}
