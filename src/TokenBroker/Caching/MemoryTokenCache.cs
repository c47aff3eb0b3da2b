using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
namespace TokenBroker.Caching;

/// <summary>
/// The per-instance tier in front of Table Storage. A lookup is a dictionary read and two comparisons: the serve-until
/// and refresh-at instants are computed once, when the token is stored, not on every hit.
/// </summary>
internal sealed class MemoryTokenCache(ServingPolicy serving)
{
    private readonly ConcurrentDictionary<string, MemoryEntry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _evictions = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public IEnumerable<KeyValuePair<string, MemoryEntry>> Entries => _entries;

    /// <summary>Finds an entry whose token may still be served at <paramref name="now"/>.</summary>
    public bool TryGet(TokenCacheKey key, DateTimeOffset now, [NotNullWhen(true)] out MemoryEntry? entry)
    {
        if (_entries.TryGetValue(key.Value, out entry))
        {
            if (now < entry.ServeUntil)
            {
                return true;
            }

            // Expired entries go on the next miss instead of by a sweeper: the set of keys is bounded by configuration.
            _entries.TryRemove(new KeyValuePair<string, MemoryEntry>(key.Value, entry));
        }

        entry = null;
        return false;
    }

    /// <summary>
    /// Keeps <paramref name="token"/> unless a token that lives longer is already there; hits start its background refresh
    /// <paramref name="refreshStagger"/> after <paramref name="refreshAt"/> (see <see cref="MemoryEntry.StaggeredRefreshAt"/>).
    /// </summary>
    public MemoryEntry Set(TokenCacheKey key, CachedToken token, DateTimeOffset refreshAt, DateTimeOffset lastRequested, TimeSpan refreshStagger = default)
    {
        var added = new MemoryEntry(key, token, serving.ServeUntil(token), refreshAt, lastRequested, refreshStagger);
        return _entries.AddOrUpdate(
            key.Value,
            static (_, entry) => entry,
            static (_, existing, entry) =>
            {
                if (entry.Token.ExpiresOn < existing.Token.ExpiresOn)
                {
                    return existing;
                }

                entry.Touch(existing.LastRequested);
                entry.InheritHolders(existing);
                return entry;
            },
            added);
    }

    /// <summary>
    /// Keeps <paramref name="token"/> like <see cref="Set(TokenCacheKey, CachedToken, DateTimeOffset, DateTimeOffset, TimeSpan)"/>, unless
    /// the connection was evicted since <paramref name="generation"/> (<see cref="GenerationOf"/> when the read or fetch
    /// that produced it started): a result that began before an eviction never lands after it. Null when it was not kept.
    /// </summary>
    public MemoryEntry? Set(TokenCacheKey key, CachedToken token, DateTimeOffset refreshAt, DateTimeOffset lastRequested, long generation, TimeSpan refreshStagger = default)
    {
        if (GenerationOf(key.PartitionKey) != generation)
        {
            return null;
        }

        var stored = Set(key, token, refreshAt, lastRequested, refreshStagger);

        // An eviction between the check and the write bumps the generation before it removes entries, so checking again
        // after the write closes the race: either the eviction's sweep sees this entry, or this check sees the eviction.
        if (GenerationOf(key.PartitionKey) != generation && stored.Token == token)
        {
            _entries.TryRemove(new KeyValuePair<string, MemoryEntry>(key.Value, stored));
            return null;
        }

        return stored;
    }

    /// <summary>How many times the connection of <paramref name="partitionKey"/> was evicted on this instance.</summary>
    public long GenerationOf(string partitionKey) => _evictions.GetValueOrDefault(partitionKey);

    public void Remove(TokenCacheKey key) => _entries.TryRemove(key.Value, out _);

    /// <summary>Forgets every token of a connection (an eviction), including those of reads and fetches still under way.</summary>
    public int RemoveConnection(string partitionKey)
    {
        _evictions.AddOrUpdate(partitionKey, 1, static (_, generation) => generation + 1);
        var removed = 0;
        foreach (var key in _entries.Keys.Where(k => TokenCacheKey.IsInPartition(k, partitionKey)))
        {
            removed += _entries.TryRemove(key, out _) ? 1 : 0;
        }

        return removed;
    }
}
