using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;
using TokenBroker.Secrets;

namespace TokenBroker.Caching;

/// <summary>
/// Encrypts tokens before they reach Table Storage (AES-256-GCM). The key is a secret like the client secrets (Key Vault in
/// Azure), so it rotates the same way: entities record the key version that sealed it, and entities sealed with a
/// previous, still enabled version stay readable until they are refreshed. What decides serving (expiry, acquired-on,
/// scope, token type) is sealed together with the token, and the associated data binds the ciphertext to its partition,
/// row, key id and format: whoever can write the table can neither move a ciphertext nor make an old one look fresh.
/// </summary>
internal sealed partial class TokenProtector
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private static readonly TimeSpan FailedListingHold = TimeSpan.FromSeconds(30);

    private readonly CredentialCache _credentials;
    private readonly TimeProvider _time;
    private readonly TimeSpan _keyListDuration;
    private readonly ILogger<TokenProtector> _logger;
    private readonly string _secretName;
    private readonly Lock _gate = new();
    private KeyRing? _previousKeys;

    public TokenProtector(CredentialCache credentials, TimeProvider time, IOptions<TokenCacheOptions> options, IOptions<CredentialSourceOptions> sourceOptions, ILogger<TokenProtector> logger)
    {
        _credentials = credentials;
        _time = time;
        _keyListDuration = sourceOptions.Value.SecretCacheDuration;
        _logger = logger;
        _secretName = options.Value.EncryptionKeySecretName;
    }

    /// <summary>Seals <paramref name="token"/> for <paramref name="key"/>'s row with the current key; null when the key cannot be read.</summary>
    public async Task<SealedToken?> SealAsync(TokenCacheKey key, CachedToken token, CancellationToken cancellationToken)
    {
        ClientSecret secret;
        try
        {
            secret = await _credentials.GetSecretAsync(_secretName, cancellationToken);
        }
        catch (SecretUnavailableException ex)
        {
            Log.KeyUnavailable(_logger, _secretName, ex.Reason);
            return null;
        }

        // Start-up refuses a weak key (outside Development), but judges it beside the rest of start-up: a request served
        // before the verdict must not leave a token in the table under a key anyone could guess.
        if (!SharedTierCheck.IsStrongKey(secret.Value))
        {
            Log.KeyTooWeak(_logger, _secretName);
            return null;
        }

        var plaintext = SealedContent.Write(token);
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagBytes];
        using (var aes = new AesGcm(KeyBytes(secret.Value), TagBytes))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(key, secret.Version));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return new SealedToken(secret.Version, nonce, ciphertext, tag);
    }

    /// <summary>
    /// Opens a sealed token, with the expiry, scope and type that were sealed with it; null when its key is gone, or it was
    /// tampered with, moved or replayed across formats (the caller treats that as a miss).
    /// </summary>
    public async Task<CachedToken?> OpenAsync(TokenCacheKey key, SealedToken sealedToken, CancellationToken cancellationToken)
    {
        if (sealedToken.Nonce.Length != NonceBytes || sealedToken.Tag.Length != TagBytes)
        {
            Log.TamperedEntity(_logger, key.PartitionKey, key.RowKey);
            return null;
        }

        var keyBytes = await FindKeyAsync(sealedToken.KeyId, cancellationToken);
        if (keyBytes is null)
        {
            return null;
        }

        var plaintext = new byte[sealedToken.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(keyBytes, TagBytes);
            aes.Decrypt(sealedToken.Nonce, sealedToken.Ciphertext, sealedToken.Tag, plaintext, AssociatedData(key, sealedToken.KeyId));
            return SealedContent.Read(plaintext) ?? throw new CryptographicException("The sealed content has an unknown layout.");
        }
        catch (Exception ex) when (ex is AuthenticationTagMismatchException or CryptographicException or ArgumentException)
        {
            Log.TamperedEntity(_logger, key.PartitionKey, key.RowKey);
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private async Task<byte[]?> FindKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        ClientSecret current;
        try
        {
            current = await _credentials.GetSecretAsync(_secretName, cancellationToken);
        }
        catch (SecretUnavailableException ex)
        {
            Log.KeyUnavailable(_logger, _secretName, ex.Reason);
            return null;
        }

        if (current.Version == keyId)
        {
            return KeyBytes(current.Value);
        }

        var now = _time.GetUtcNow();

        // Read before listing: an invalidation during the listing then makes the next read list again.
        var invalidations = _credentials.InvalidationsOf(_secretName);
        lock (_gate)
        {
            // The previous versions are listed again when the current one changes, the listing is as old as a secret may
            // be cached, or a Key Vault event named the key since, so a version disabled in Key Vault stops opening
            // entries within that time (at once on an event). Until then the listing answers for every key id, known or
            // not: an unknown id costs no Key Vault call.
            if (_previousKeys is { } ring && ring.CurrentVersion == current.Version && now < ring.FreshUntil && ring.Invalidations == invalidations)
            {
                return Found(ring, keyId);
            }
        }

        KeyRing listed;
        try
        {
            var previous = await _credentials.GetPreviousSecretsAsync(_secretName, current.Version, cancellationToken);
            listed = new KeyRing(current.Version, previous.ToDictionary(p => p.Version, p => KeyBytes(p.Value), StringComparer.Ordinal), now + _keyListDuration, invalidations);
        }
        catch (SecretUnavailableException ex)
        {
            // Key Vault failing must not cost a listing attempt per read: no previous key is known for a short while.
            Log.KeyUnavailable(_logger, _secretName, ex.Reason);
            listed = new KeyRing(current.Version, [], now + Min(_keyListDuration, FailedListingHold), invalidations);
        }

        lock (_gate)
        {
            _previousKeys = listed;
        }

        return Found(listed, keyId);
    }

    private byte[]? Found(KeyRing ring, string keyId)
    {
        if (ring.Keys.TryGetValue(keyId, out var key))
        {
            return key;
        }

        Log.KeyVersionGone(_logger, _secretName, keyId);
        return null;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    // A 256-bit key stored as base64 is used as is; any other secret value is stretched with SHA-256, so a value that
    // cannot be base64 still yields a full-length key (its entropy is what it is: generate it, never type it).
    private static byte[] KeyBytes(string secret)
    {
        var decoded = new byte[32];
        return Convert.TryFromBase64String(secret, decoded, out var written) && written == 32
            ? decoded
            : SHA256.HashData(Encoding.UTF8.GetBytes(secret));
    }

    // Length-prefixed, so no field can run into the next one whatever characters a key id holds.
    private static byte[] AssociatedData(TokenCacheKey key, string keyId)
    {
        var fields = new[] { "tokenbroker", TokenEntity.CurrentFormat.ToString(System.Globalization.CultureInfo.InvariantCulture), key.PartitionKey, key.RowKey, keyId };
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var field in fields)
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The previous key versions as listed while <see cref="CurrentVersion"/> was current, trusted until
    /// <see cref="FreshUntil"/> or until the key is invalidated again (<see cref="Invalidations"/> moves); a key id not in
    /// it is missing. Its size is the vault's, whatever key ids the table holds.
    /// </summary>
    private sealed record KeyRing(string CurrentVersion, Dictionary<string, byte[]> Keys, DateTimeOffset FreshUntil, long Invalidations);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.CacheKeyUnavailable, Level = LogLevel.Error, Message = "Token cache encryption key {SecretName} is unavailable ({Reason}); the shared tier is skipped until it is")]
        public static partial void KeyUnavailable(ILogger logger, string secretName, string reason);

        [LoggerMessage(EventId = EventIds.CacheKeyVersionGone, Level = LogLevel.Warning, Message = "Token cache entity sealed with key version {KeyId} of {SecretName}, which is not an enabled version; treated as a miss")]
        public static partial void KeyVersionGone(ILogger logger, string secretName, string keyId);

        [LoggerMessage(EventId = EventIds.TamperedEntity, Level = LogLevel.Error, Message = "Token cache entity {RowKey} of connection {Connection} failed authentication (tampered, moved or corrupt); treated as a miss")]
        public static partial void TamperedEntity(ILogger logger, string connection, string rowKey);

        [LoggerMessage(EventId = EventIds.CacheKeyTooWeak, Level = LogLevel.Error, Message = "Token cache encryption key {SecretName} is too weak to seal tokens with; the shared tier is skipped until it is replaced")]
        public static partial void KeyTooWeak(ILogger logger, string secretName);
    }
}
