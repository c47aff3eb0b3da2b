using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace TokenBroker.Caching;

/// <summary>
/// The per-instance tier in front of Table Storage. A lookup is a dictionary read and a comparison:
/// the serve-until instant is computed once, when the token is stored, not on every hit.
/// </summary>
internal sealed class MemoryTokenCache(IOptions<TokenCacheOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TokenCacheOptions _options = options.Value;

    public int Count => _entries.Count;

    /// <summary>Finds a token that may still be served at <paramref name="now"/>.</summary>
    public bool TryGet(TokenCacheKey key, DateTimeOffset now, [NotNullWhen(true)] out CachedToken? token)
    {
        if (_entries.TryGetValue(key.Value, out var entry))
        {
            if (now < entry.ServeUntil)
            {
                token = entry.Token;
                return true;
            }

            // Expired entries go on the next miss instead of by a sweeper: the set of keys is bounded by configuration.
            _entries.TryRemove(new KeyValuePair<string, Entry>(key.Value, entry));
        }

        token = null;
        return false;
    }

    /// <summary>Keeps <paramref name="token"/> unless a token that lives longer is already there.</summary>
    public void Set(TokenCacheKey key, CachedToken token)
    {
        var entry = new Entry(token, ServeUntil(token));
        _entries.AddOrUpdate(
            key.Value,
            static (_, added) => added,
            static (_, existing, added) => added.Token.ExpiresOn >= existing.Token.ExpiresOn ? added : existing,
            entry);
    }

    public void Remove(TokenCacheKey key) => _entries.TryRemove(key.Value, out _);

    /// <summary>Whether <paramref name="token"/> may be served at <paramref name="now"/> under the safety margin.</summary>
    public bool IsServable(CachedToken token, DateTimeOffset now) => now < ServeUntil(token);

    private DateTimeOffset ServeUntil(CachedToken token) => token.ExpiresOn - _options.MarginFor(token.Lifetime);

    private sealed record Entry(CachedToken Token, DateTimeOffset ServeUntil);
}
