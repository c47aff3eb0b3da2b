using Azure;

namespace TokenBroker.Caching;

/// <summary>
/// One entity of the shared tier as read, with its ETag: the token (absent while the first fetch is under way) and the
/// coordination state every instance agrees on (lease, refresh point, shared back-off, last use).
/// </summary>
internal sealed record StoredEntry(TokenCacheKey Key, ETag ETag)
{
    /// <summary>The connection's partition (<see cref="TokenCacheKey.PartitionKey"/>).</summary>
    public string PartitionKey => Key.PartitionKey;

    /// <summary>The fingerprint (<see cref="TokenCacheKey.RowKey"/>).</summary>
    public string RowKey => Key.RowKey;

    /// <summary>The token, once opened; null while the entry is only a lease, or when it could not be opened or may not be served.</summary>
    public CachedToken? Token { get; init; }

    /// <summary>The encrypted token as stored.</summary>
    public SealedToken? Sealed { get; init; }

    /// <summary>What the clear-text columns say of the stored token, for operators and the refresh job; never trusted for serving.</summary>
    public TokenMetadata? Metadata { get; init; }

    /// <summary>Why the entity cannot be read as written (a wrong type, an unknown format, chunks that do not add up); null when it can.</summary>
    public string? Problem { get; init; }

    /// <summary>The normalized scopes the token was requested with: what the refresh job asks for again.</summary>
    public string RequestedScope { get; init; } = string.Empty;

    public DateTimeOffset? RefreshAt { get; init; }

    public DateTimeOffset? LastRequestedOn { get; init; }

    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>An authorization server's <c>Retry-After</c>, held by every instance.</summary>
    public DateTimeOffset? RetryAfterUntil { get; init; }

    /// <summary>Every secret was refused until then; nobody retries before it.</summary>
    public DateTimeOffset? RejectedUntil { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? LastErrorOn { get; init; }

    public bool IsLeasedByOther(string owner, DateTimeOffset now) =>
        LeaseUntil is { } until && until > now && !string.Equals(LeaseOwner, owner, StringComparison.Ordinal);
}
