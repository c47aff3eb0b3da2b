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
/// consults it in place of the stored hash. Each secret is also an Entra-style <c>passwordCredential</c> (key id,
/// hint, start and end), which the Graph-compatible endpoint lists, adds and removes; a secret added there
/// authenticates only after <see cref="DevAuthorizationServerOptions.CredentialPropagationDelay"/>, and none
/// authenticates before its start or after its end. Secrets are kept only as SHA-256 digests: nothing
/// persists them, so PBKDF2 (OpenIddict's choice for a database) would add cost per candidate
/// secret on every token request and protect nothing, while digests still keep the plain
/// values out of memory dumps and debugger views.
/// </remarks>
public sealed class DevClientSecrets
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<PasswordEntry>> _entriesByClient = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger<DevClientSecrets> _logger;

    internal DevClientSecrets(IOptions<DevAuthorizationServerOptions> options, TimeProvider time, ILogger<DevClientSecrets> logger)
    {
        _time = time;
        _logger = logger;
        foreach (var client in options.Value.Clients)
        {
            _entriesByClient[client.ClientId] = [.. client.Secrets.Distinct(StringComparer.Ordinal).Select(secret => Entry(secret, DateTimeOffset.MinValue))];
        }
    }

    /// <summary>Makes <paramref name="secret"/> valid for the client at once, alongside its other secrets.</summary>
    /// <param name="clientId">A client registered in <see cref="DevAuthorizationServerOptions.Clients"/>.</param>
    /// <param name="secret">The secret to accept from now on.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="ArgumentException">The client is not registered, or the secret is empty.</exception>
    public Task AddSecretAsync(string clientId, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var entry = Entry(secret, DateTimeOffset.MinValue);
        Update(clientId, entries =>
        {
            if (!entries.Exists(existing => CryptographicOperations.FixedTimeEquals(existing.Digest, entry.Digest)))
            {
                entries.Add(entry);
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
        var digest = Digest(secret);
        Update(clientId, entries => entries.RemoveAll(existing => CryptographicOperations.FixedTimeEquals(existing.Digest, digest)));
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

        var replacement = secrets.Distinct(StringComparer.Ordinal).Select(secret => Entry(secret, DateTimeOffset.MinValue)).ToList();
        Update(clientId, entries =>
        {
            entries.Clear();
            entries.AddRange(replacement);
        });
        return Task.CompletedTask;
    }

    internal bool IsValid(string clientId, string secret)
    {
        var digest = Digest(secret);
        var now = _time.GetUtcNow();
        var valid = false;
        lock (_gate)
        {
            if (_entriesByClient.TryGetValue(clientId, out var entries))
            {
                // Compare against every secret without stopping early, so timing does not reveal which matched.
                foreach (var candidate in entries)
                {
                    valid |= CryptographicOperations.FixedTimeEquals(candidate.Digest, digest) & candidate.AuthenticatesAt(now);
                }
            }
        }

        if (!valid)
        {
            _logger.SecretRejected(clientId);
        }

        return valid;
    }

    /// <summary>The client's password credentials, oldest first; empty for an unknown client.</summary>
    internal IReadOnlyList<PasswordEntry> List(string clientId)
    {
        lock (_gate)
        {
            return _entriesByClient.TryGetValue(clientId, out var entries) ? [.. entries] : [];
        }
    }

    /// <summary>Adds a generated secret, as Graph's addPassword does, and returns its entry and its only copy.</summary>
    internal (PasswordEntry Entry, string SecretText) Generate(
        string clientId, string? displayName, DateTimeOffset startsOn, DateTimeOffset endsOn, DateTimeOffset usableFrom)
    {
        var secretText = GenerateSecretText();
        var entry = Entry(secretText, usableFrom) with { KeyId = Guid.NewGuid(), DisplayName = displayName, StartsOn = startsOn, EndsOn = endsOn };
        Update(clientId, entries => entries.Add(entry));
        return (entry, secretText);
    }

    /// <summary>Removes the credential with <paramref name="keyId"/>; false when the client has none with that id.</summary>
    internal bool Remove(string clientId, Guid keyId)
    {
        var removed = 0;
        Update(clientId, entries => removed = entries.RemoveAll(entry => entry.KeyId == keyId));
        return removed > 0;
    }

    private void Update(string clientId, Action<List<PasswordEntry>> change)
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

        _logger.SecretsChanged(clientId, count);
    }

    private static PasswordEntry Entry(string secret, DateTimeOffset usableFrom) =>
        new(Guid.NewGuid(), Digest(secret), null, secret.Length <= 3 ? secret : secret[..3], null, null, usableFrom);

    // Entra generates 40 characters from letters, digits and a few punctuation marks that need no escaping in a form.
    private static string GenerateSecretText() =>
        RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-", 40);

    private static byte[] Digest(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
