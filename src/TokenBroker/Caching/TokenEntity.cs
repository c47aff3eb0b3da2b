using System.Globalization;
using Azure.Data.Tables;

namespace TokenBroker.Caching;

/// <summary>
/// The Table Storage shape of a cache entry: one entity per connection (partition) and fingerprint (row).
/// The token is stored sealed (see <see cref="TokenProtector"/>), in binary chunks because one property holds at most
/// 64 KiB and some authorization servers issue tokens larger than that.
/// </summary>
internal static class TokenEntity
{
    /// <summary>Bytes per binary property: the Table service's limit.</summary>
    public const int ChunkBytes = 64 * 1024;

    /// <summary>Chunks per entity, leaving headroom under the 1 MiB entity limit for the other properties.</summary>
    public const int MaxChunks = 14;

    /// <summary>The largest token, in UTF-8 bytes, one entity can hold.</summary>
    public const int MaxTokenBytes = ChunkBytes * MaxChunks;

    // Bumped whenever the layout changes, so an old instance never misreads a new entity. 2: the token is sealed (AES-256-GCM).
    public const int CurrentFormat = 2;

    public const string Format = nameof(Format);
    public const string RequestedScope = nameof(RequestedScope);
    public const string Scope = nameof(Scope);
    public const string TokenType = nameof(TokenType);
    public const string AcquiredOn = nameof(AcquiredOn);
    public const string ExpiresOn = nameof(ExpiresOn);
    public const string RefreshAt = nameof(RefreshAt);
    public const string SecretVersion = nameof(SecretVersion);
    public const string ClientId = nameof(ClientId);
    public const string TokenEndpoint = nameof(TokenEndpoint);
    public const string TokenBytes = nameof(TokenBytes);
    public const string Chunks = nameof(Chunks);
    public const string KeyId = nameof(KeyId);
    public const string Nonce = nameof(Nonce);
    public const string Tag = nameof(Tag);
    public const string LastRequestedOn = nameof(LastRequestedOn);
    public const string LeaseOwner = nameof(LeaseOwner);
    public const string LeaseUntil = nameof(LeaseUntil);
    public const string RetryAfterUntil = nameof(RetryAfterUntil);
    public const string RejectedUntil = nameof(RejectedUntil);
    public const string LastError = nameof(LastError);
    public const string LastErrorOn = nameof(LastErrorOn);
    private const string ChunkPrefix = "Token";

    /// <summary>Table Storage cannot store a null through a merge, so "no lease" and "no hold" are this instant.</summary>
    public static readonly DateTimeOffset Never = DateTimeOffset.UnixEpoch;

    public static string ChunkName(int index) => ChunkPrefix + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>An entity holding no token yet: the first fetch's lease.</summary>
    public static TableEntity Placeholder(TokenCacheKey key, string requestedScope, string owner, DateTimeOffset leaseUntil, DateTimeOffset now) =>
        new(key.PartitionKey, key.RowKey)
        {
            [Format] = CurrentFormat,
            [RequestedScope] = requestedScope,
            [LeaseOwner] = owner,
            [LeaseUntil] = leaseUntil,
            [LastRequestedOn] = now,
        };

    /// <summary>The whole entity for a fresh token, lease released; null when the token is too large for one entity.</summary>
    public static TableEntity? ToEntity(TokenCacheKey key, CachedToken token, SealedToken sealedToken, TokenEntityContext context)
    {
        var bytes = sealedToken.Ciphertext;
        if (bytes.Length > MaxTokenBytes)
        {
            return null;
        }

        var chunks = (bytes.Length + ChunkBytes - 1) / ChunkBytes;
        var entity = new TableEntity(key.PartitionKey, key.RowKey)
        {
            [Format] = CurrentFormat,
            [RequestedScope] = context.RequestedScope,
            [Scope] = token.Scope,
            [TokenType] = token.TokenType,
            [AcquiredOn] = token.AcquiredOn,
            [ExpiresOn] = token.ExpiresOn,
            [RefreshAt] = context.RefreshAt,
            [SecretVersion] = token.SecretVersion,
            [ClientId] = context.ClientId,
            [TokenEndpoint] = context.TokenEndpoint.AbsoluteUri,
            [LastRequestedOn] = context.LastRequestedOn,
            [LeaseUntil] = Never,
            [RetryAfterUntil] = Never,
            [RejectedUntil] = Never,
            [TokenBytes] = bytes.Length,
            [Chunks] = chunks,
            [KeyId] = sealedToken.KeyId,
            [Nonce] = sealedToken.Nonce,
            [Tag] = sealedToken.Tag,
        };

        for (var i = 0; i < chunks; i++)
        {
            var start = i * ChunkBytes;
            entity[ChunkName(i)] = bytes.AsSpan(start, Math.Min(ChunkBytes, bytes.Length - start)).ToArray();
        }

        return entity;
    }

    /// <summary>Reads an entity back, token still sealed; the seal is null when there is none yet or when it cannot be trusted (see <paramref name="problem"/>).</summary>
    public static StoredEntry? FromEntity(TableEntity entity, out string? problem)
    {
        problem = null;
        if (entity.GetInt32(Format) != CurrentFormat)
        {
            problem = "unknown format";
            return null;
        }

        var sealedToken = ReadSealed(entity, out problem);
        return new StoredEntry(entity.PartitionKey, entity.RowKey, entity.ETag)
        {
            Sealed = sealedToken,
            Metadata = sealedToken is null ? null : new TokenMetadata(
                entity.GetString(TokenType) ?? "Bearer",
                entity.GetString(Scope) ?? string.Empty,
                entity.GetDateTimeOffset(AcquiredOn)!.Value,
                entity.GetDateTimeOffset(ExpiresOn)!.Value,
                entity.GetString(SecretVersion) ?? string.Empty),
            RequestedScope = entity.GetString(RequestedScope) ?? string.Empty,
            RefreshAt = entity.GetDateTimeOffset(RefreshAt),
            LastRequestedOn = entity.GetDateTimeOffset(LastRequestedOn),
            LeaseOwner = entity.GetString(LeaseOwner),
            LeaseUntil = entity.GetDateTimeOffset(LeaseUntil),
            RetryAfterUntil = entity.GetDateTimeOffset(RetryAfterUntil),
            RejectedUntil = entity.GetDateTimeOffset(RejectedUntil),
            LastError = entity.GetString(LastError),
            LastErrorOn = entity.GetDateTimeOffset(LastErrorOn),
        };
    }

    private static SealedToken? ReadSealed(TableEntity entity, out string? problem)
    {
        problem = null;
        var chunks = entity.GetInt32(Chunks);
        if (chunks is null)
        {
            return null;
        }

        var length = entity.GetInt32(TokenBytes);
        var acquiredOn = entity.GetDateTimeOffset(AcquiredOn);
        var expiresOn = entity.GetDateTimeOffset(ExpiresOn);
        var keyId = entity.GetString(KeyId);
        var nonce = entity.GetBinary(Nonce);
        var tag = entity.GetBinary(Tag);
        if (length is not > 0 || chunks is not > 0 || chunks > MaxChunks || acquiredOn is null || expiresOn is null
            || string.IsNullOrEmpty(keyId) || nonce is null || tag is null)
        {
            problem = "missing or invalid properties";
            return null;
        }

        var bytes = new byte[length.Value];
        var offset = 0;
        for (var i = 0; i < chunks; i++)
        {
            var chunk = entity.GetBinary(ChunkName(i));
            if (chunk is null || offset + chunk.Length > bytes.Length)
            {
                problem = "token chunks do not add up";
                return null;
            }

            chunk.CopyTo(bytes, offset);
            offset += chunk.Length;
        }

        if (offset != bytes.Length)
        {
            problem = "token chunks do not add up";
            return null;
        }

        return new SealedToken(keyId, nonce, bytes, tag);
    }
}
