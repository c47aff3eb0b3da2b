using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using TokenBroker.DevAuthorizationServer.Internal;

namespace TokenBroker.DevAuthorizationServer;

/// <summary>
/// The secrets each registered client may currently authenticate with. Like Microsoft Entra ID,
/// a client may hold several at once, so tests can rotate (add the new, then remove the old)
/// and revoke secrets while the server runs. A revoked or unknown secret gets <c>invalid_client</c>.
/// </summary>
/// <remarks>
/// OpenIddict stores one hashed secret per application. Extra secrets could be packed into the
/// application's properties, but every rotation would then be a read-modify-write through a scoped
/// manager and OpenIddict's application cache, racing the token requests under test. This
/// process-lifetime registry swaps a client's set atomically instead, and the application manager
/// consults it in place of the stored hash. Secrets are kept only as SHA-256 digests: nothing
/// persists them, so PBKDF2 (OpenIddict's choice for a database) would add cost per candidate
/// secret on every token request and protect nothing, while digests still keep the plain
/// values out of memory dumps and debugger views.
/// </remarks>
public sealed class DevClientSecrets
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<byte[]>> _digestsByClient = new(StringComparer.Ordinal);
    private readonly ILogger<DevClientSecrets> _logger;

    internal DevClientSecrets(IOptions<DevAuthorizationServerOptions> options, ILogger<DevClientSecrets> logger)
    {
        _logger = logger;
        foreach (var client in options.Value.Clients)
        {
            _digestsByClient[client.ClientId] = [.. client.Secrets.Distinct(StringComparer.Ordinal).Select(Digest)];
        }
    }

    /// <summary>Makes <paramref name="secret"/> valid for the client, alongside its other secrets.</summary>
    /// <param name="clientId">A client registered in <see cref="DevAuthorizationServerOptions.Clients"/>.</param>
    /// <param name="secret">The secret to accept from now on.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="ArgumentException">The client is not registered, or the secret is empty.</exception>
    public Task AddSecretAsync(string clientId, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Update(clientId, digests =>
        {
            var digest = Digest(secret);
            if (!digests.Exists(existing => CryptographicOperations.FixedTimeEquals(existing, digest)))
            {
                digests.Add(digest);
            }
        });
        return Task.CompletedTask;
    }

    /// <summary>Revokes <paramref name="secret"/>; requests still using it get <c>invalid_client</c>.</summary>
    /// <param name="clientId">A client registered in <see cref="DevAuthorizationServerOptions.Clients"/>.</param>
    /// <param name="secret">The secret to stop accepting. Removing a secret the client does not have does nothing.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="ArgumentException">The client is not registered, or the secret is empty.</exception>
    public Task RemoveSecretAsync(string clientId, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Update(clientId, digests =>
        {
            var digest = Digest(secret);
            digests.RemoveAll(existing => CryptographicOperations.FixedTimeEquals(existing, digest));
        });
        return Task.CompletedTask;
    }

    /// <summary>Makes exactly <paramref name="secrets"/> valid for the client; none revokes them all.</summary>
    /// <param name="clientId">A client registered in <see cref="DevAuthorizationServerOptions.Clients"/>.</param>
    /// <param name="secrets">The secrets to accept from now on.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="ArgumentException">The client is not registered, or a secret is empty.</exception>
    public Task ReplaceSecretsAsync(string clientId, params string[] secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        foreach (var secret in secrets)
        {
            ArgumentException.ThrowIfNullOrEmpty(secret, nameof(secrets));
        }

        var replacement = secrets.Distinct(StringComparer.Ordinal).Select(Digest).ToList();
        Update(clientId, digests =>
        {
            digests.Clear();
            digests.AddRange(replacement);
        });
        return Task.CompletedTask;
    }

    internal bool IsValid(string clientId, string secret)
    {
        var digest = Digest(secret);
        var valid = false;
        lock (_gate)
        {
            if (_digestsByClient.TryGetValue(clientId, out var digests))
            {
                // Compare against every secret without stopping early, so timing does not reveal which matched.
                foreach (var candidate in digests)
                {
                    valid |= CryptographicOperations.FixedTimeEquals(candidate, digest);
                }
            }
        }

        if (!valid)
        {
            _logger.SecretRejected(clientId);
        }

        return valid;
    }

    private void Update(string clientId, Action<List<byte[]>> change)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        int count;
        lock (_gate)
        {
            if (!_digestsByClient.TryGetValue(clientId, out var digests))
            {
                throw new ArgumentException(
                    $"Client '{clientId}' is not registered with this development authorization server.",
                    nameof(clientId));
            }

            change(digests);
            count = digests.Count;
        }

        _logger.SecretsChanged(clientId, count);
    }

    private static byte[] Digest(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
