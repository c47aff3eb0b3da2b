using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace TokenBroker.Caching;

/// <summary>
/// The per-instance tier in front of Table Storage. A lookup is a dictionary read and two comparisons: the serve-until
/// and refresh-at instants are computed once, when the token is stored, not on every hit.
/// </summary>
internal sealed class MemoryTokenCache(IOptions<TokenCacheOptions> options)
{
    private readonly ConcurrentDictionary<string, MemoryEntry> _entries = new(StringComparer.Ordinal);
    private readonly TokenCacheOptions _options = options.Value;

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

    /// <summary>Keeps <paramref name="token"/> unless a token that lives longer is already there.</summary>
    public MemoryEntry Set(TokenCacheKey key, CachedToken token, DateTimeOffset refreshAt, DateTimeOffset lastRequested)
    {
        var added = new MemoryEntry(key, token, ServeUntil(token), refreshAt, lastRequested);
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

    public void Remove(TokenCacheKey key) => _entries.TryRemove(key.Value, out _);

    /// <summary>Forgets every token of a connection (an eviction).</summary>
    public int RemoveConnection(string partitionKey)
    {
        var prefix = partitionKey + "/";
        var removed = 0;
        foreach (var key in _entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            removed += _entries.TryRemove(key, out _) ? 1 : 0;
        }

        return removed;
    }

    /// <summary>Whether <paramref name="token"/> may be served at <paramref name="now"/> under the safety margin.</summary>
    public bool IsServable(CachedToken token, DateTimeOffset now) => now < ServeUntil(token);

    /// <summary>The last instant <paramref name="token"/> may be served.</summary>
    public DateTimeOffset ServeUntil(CachedToken token) => token.ExpiresOn - _options.MarginFor(token.Lifetime);
}
