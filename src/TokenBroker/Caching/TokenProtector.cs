using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Secrets;

namespace TokenBroker.Caching;

/// <summary>
/// Encrypts tokens before they reach Table Storage (AES-256-GCM). The key is a secret like the client secrets (Key Vault in
/// Azure), so it rotates the same way: entities record the key version that sealed them, and entities sealed with a
/// previous version stay readable until they are refreshed. The associated data binds each ciphertext to its partition
/// and row, so a ciphertext copied into another row does not decrypt.
/// </summary>
internal sealed partial class TokenProtector(SecretCache secrets, IOptions<TokenCacheOptions> options, ILogger<TokenProtector> logger)
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly string _secretName = options.Value.EncryptionKeySecretName;
    private readonly ConcurrentDictionary<string, byte[]> _previousKeys = new(StringComparer.Ordinal);

    /// <summary>Seals <paramref name="token"/> for <paramref name="key"/>'s row with the current key; null when the key cannot be read.</summary>
    public async Task<SealedToken?> SealAsync(TokenCacheKey key, string token, CancellationToken cancellationToken)
    {
        ClientSecret secret;
        try
        {
            secret = await secrets.GetAsync(_secretName, cancellationToken);
        }
        catch (SecretUnavailableException ex)
        {
            Log.KeyUnavailable(logger, _secretName, ex.Reason);
            return null;
        }

        var plaintext = Encoding.UTF8.GetBytes(token);
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagBytes];
        using (var aes = new AesGcm(KeyBytes(secret.Value), TagBytes))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(key));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return new SealedToken(secret.Version, nonce, ciphertext, tag);
    }

    /// <summary>Opens a sealed token; null when its key is gone or it was tampered with (the caller treats that as a miss).</summary>
    public async Task<string?> OpenAsync(TokenCacheKey key, SealedToken sealedToken, CancellationToken cancellationToken)
    {
        var keyBytes = await FindKeyAsync(sealedToken.KeyId, cancellationToken);
        if (keyBytes is null)
        {
            Log.KeyVersionGone(logger, _secretName, sealedToken.KeyId);
            return null;
        }

        var plaintext = new byte[sealedToken.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(keyBytes, TagBytes);
            aes.Decrypt(sealedToken.Nonce, sealedToken.Ciphertext, sealedToken.Tag, plaintext, AssociatedData(key));
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (Exception ex) when (ex is AuthenticationTagMismatchException or CryptographicException or ArgumentException)
        {
            Log.TamperedEntity(logger, key.PartitionKey, key.RowKey);
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private async Task<byte[]?> FindKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        try
        {
            var current = await secrets.GetAsync(_secretName, cancellationToken);
            if (current.Version == keyId)
            {
                return KeyBytes(current.Value);
            }

            if (_previousKeys.TryGetValue(keyId, out var cached))
            {
                return cached;
            }

            foreach (var previous in await secrets.GetPreviousVersionsAsync(_secretName, current.Version, cancellationToken))
            {
                _previousKeys[previous.Version] = KeyBytes(previous.Value);
            }

            return _previousKeys.GetValueOrDefault(keyId);
        }
        catch (SecretUnavailableException ex)
        {
            Log.KeyUnavailable(logger, _secretName, ex.Reason);
            return null;
        }
    }

    // A 256-bit key stored as base64 is used as is; any other secret value is stretched with SHA-256, so a value that
    // cannot be base64 still yields a full-length key (its entropy is what it is: generate it, never type it).
    private static byte[] KeyBytes(string secret)
    {
        var decoded = new byte[32];
        return Convert.TryFromBase64String(secret, decoded, out var written) && written == 32
            ? decoded
            : SHA256.HashData(Encoding.UTF8.GetBytes(secret));
    }

    private static byte[] AssociatedData(TokenCacheKey key) =>
        Encoding.UTF8.GetBytes($"tokenbroker/v2/{key.PartitionKey}/{key.RowKey}");

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Token cache encryption key {SecretName} is unavailable ({Reason}); the shared tier is skipped until it is")]
        public static partial void KeyUnavailable(ILogger logger, string secretName, string reason);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Token cache entity sealed with key version {KeyId} of {SecretName}, which is no longer enabled; treated as a miss")]
        public static partial void KeyVersionGone(ILogger logger, string secretName, string keyId);

        [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Token cache entity {RowKey} of connection {Connection} failed authentication (tampered, moved or corrupt); treated as a miss")]
        public static partial void TamperedEntity(ILogger logger, string connection, string rowKey);
    }
}
