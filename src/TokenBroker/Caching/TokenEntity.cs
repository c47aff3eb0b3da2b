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

    /// <summary>The largest sealed token, in bytes, one entity can hold.</summary>
    public const int MaxTokenBytes = ChunkBytes * MaxChunks;

    // Bumped whenever the layout changes, so an old instance never misreads a new entity. 2: the token is sealed
    // (AES-256-GCM). 3: everything that decides serving (expiry, acquired-on, scope, token type) is sealed with the token,
    // and the key id and format are in the associated data, so editing the clear-text copies changes nothing.
    public const int CurrentFormat = 3;

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

    /// <summary>
    /// Reads an entity back, token still sealed. Never throws: anyone who can write the table can put any type in any
    /// property, so an entity that cannot be read as written comes back with its ETag, no seal and a
    /// <see cref="StoredEntry.Problem"/> (property names and types only, never values): a miss the next fetch overwrites.
    /// </summary>
    public static StoredEntry FromEntity(TableEntity entity)
    {
        var reader = new Reader(entity);
        var format = reader.Int32(Format);
        var key = new TokenCacheKey(entity.PartitionKey, entity.RowKey);
        var entry = new StoredEntry(key, entity.ETag)
        {
            RequestedScope = reader.String(RequestedScope) ?? string.Empty,
            RefreshAt = reader.Date(RefreshAt),
            LastRequestedOn = reader.Date(LastRequestedOn),
            LeaseOwner = reader.String(LeaseOwner),
            LeaseUntil = reader.Date(LeaseUntil),
            RetryAfterUntil = reader.Date(RetryAfterUntil),
            RejectedUntil = reader.Date(RejectedUntil),
            LastError = reader.String(LastError),
            LastErrorOn = reader.Date(LastErrorOn),
        };

        var metadata = new TokenMetadata(
            reader.String(TokenType) ?? "Bearer",
            reader.String(Scope) ?? string.Empty,
            reader.Date(AcquiredOn) ?? Never,
            reader.Date(ExpiresOn) ?? Never,
            reader.String(SecretVersion) ?? string.Empty);
        var sealedToken = ReadSealed(reader, out var sealProblem);
        _ = reader.String(ClientId);
        _ = reader.String(TokenEndpoint);

        var problem = reader.Problem
            ?? (format != CurrentFormat ? "unknown format" : null)
            ?? sealProblem;
        // Nothing of an unreadable entity is trusted, its lease and holds included: it is a miss, and the next fetch
        // replaces it (If-Match on the ETag read here), so a corrupt hold can never stop a connection for good.
        return problem is not null
            ? new StoredEntry(key, entity.ETag) { Problem = problem }
            : entry with { Sealed = sealedToken, Metadata = sealedToken is null ? null : metadata };
    }

    private static SealedToken? ReadSealed(Reader reader, out string? problem)
    {
        problem = null;
        var chunks = reader.Int32(Chunks);
        var length = reader.Int32(TokenBytes);
        var keyId = reader.String(KeyId);
        var nonce = reader.Binary(Nonce);
        var tag = reader.Binary(Tag);
        if (chunks is null)
        {
            // A placeholder: the first fetch's lease, no token yet.
            return null;
        }

        if (length is not > 0 || chunks is not > 0 || chunks > MaxChunks || string.IsNullOrEmpty(keyId) || nonce is null || tag is null)
        {
            problem = "missing or invalid properties";
            return null;
        }

        var bytes = new byte[Math.Min(length.Value, MaxTokenBytes)];
        var offset = 0;
        for (var i = 0; i < chunks; i++)
        {
            var chunk = reader.Binary(ChunkName(i));
            if (chunk is null || offset + chunk.Length > bytes.Length)
            {
                problem = reader.Problem ?? "token chunks do not add up";
                return null;
            }

            chunk.CopyTo(bytes, offset);
            offset += chunk.Length;
        }

        if (offset != length.Value)
        {
            problem = "token chunks do not add up";
            return null;
        }

        return new SealedToken(keyId, nonce, bytes, tag);
    }

    /// <summary>Reads properties by the type they were written with; the first mismatch is remembered, by name and type only.</summary>
    private sealed class Reader(TableEntity entity)
    {
        public string? Problem { get; private set; }

        public int? Int32(string name) => Read(name, static value => value is int number ? number : (int?)null);

        public string? String(string name) => Read(name, static value => value as string);

        public byte[]? Binary(string name) => Read(name, static value => value switch
        {
            byte[] bytes => bytes,
            BinaryData data => data.ToArray(),
            _ => null,
        });

        public DateTimeOffset? Date(string name) => Read(name, static value => value switch
        {
            DateTimeOffset date => date,
            DateTime date => new DateTimeOffset(DateTime.SpecifyKind(date, DateTimeKind.Utc)),
            _ => (DateTimeOffset?)null,
        });

        // T is the nullable type read (int?, string?): a null from the conversion is a value of another type.
        private T Read<T>(string name, Func<object, T> convert)
        {
            if (!entity.TryGetValue(name, out var value) || value is null)
            {
                return default!;
            }

            var converted = convert(value);
            if (converted is null)
            {
                var expected = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
                Problem ??= $"property {name} is {value.GetType().Name}, not {expected.Name}";
            }

            return converted;
        }
    }
}
