using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using TokenBroker.Access;
using TokenBroker.Caching;

namespace TokenBroker.Audit;

/// <summary>
/// The callers that received one token, hanging off its memory entry. A repeat delivery scans a small copy-on-write array
/// (hash, then reference, then ordinal compare: the callers the hosts reuse hit on the reference) and counts; only a first
/// delivery takes the lock. Beyond <see cref="ScanLimit"/> callers, the rest go to a dictionary.
/// </summary>
internal sealed class TokenHolders(TokenCacheKey key, CachedToken token)
{
    private const int ScanLimit = 16;

    private readonly Lock _gate = new();
    private TokenHolder[] _scanned = [];
    private ConcurrentDictionary<string, TokenHolder>? _overflow;
    private string? _fingerprint;

    public TokenCacheKey Key { get; } = key;

    public CachedToken Token { get; } = token;

    public string Fingerprint => _fingerprint ??= TokenFingerprint.Of(Token.AccessToken);

    /// <summary>When the writer first saw the token no longer current; it closes the holders one sweep later.</summary>
    public DateTimeOffset? RetiredOn { get; set; }

    /// <summary>Why it is no longer current (<c>replaced</c>, <c>expired</c>, <c>evicted</c>), set with <see cref="RetiredOn"/>.</summary>
    public string? RetiredBecause { get; set; }

    public IReadOnlyList<TokenHolder> All
    {
        get
        {
            var scanned = Volatile.Read(ref _scanned);
            return Volatile.Read(ref _overflow) is { } overflow ? [.. scanned, .. overflow.Values] : scanned;
        }
    }

    /// <summary>Counts a delivery to a caller that already holds the token; false at a first delivery.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryCount(Caller? caller)
    {
        var key = caller?.AuditKey ?? TokenHolder.InProcessKey;
        var hash = caller?.AuditKeyHash ?? TokenHolder.InProcessKeyHash;
        foreach (var holder in Volatile.Read(ref _scanned))
        {
            if (holder.Matches(key, hash))
            {
                holder.Count();
                return true;
            }
        }

        if (Volatile.Read(ref _overflow) is { } overflow && overflow.TryGetValue(key, out var found))
        {
            found.Count();
            return true;
        }

        return false;
    }

    /// <summary>Adds the caller at its first delivery; null when a concurrent delivery added it first (and this one was counted).</summary>
    public TokenHolder? Add(Caller? caller, DateTimeOffset now, string tier, string connection, string scope)
    {
        lock (_gate)
        {
            if (TryCount(caller))
            {
                return null;
            }

            var holder = new TokenHolder(caller, now, tier, connection, scope);
            if (_scanned.Length < ScanLimit)
            {
                Volatile.Write(ref _scanned, [.. _scanned, holder]);
            }
            else
            {
                var overflow = _overflow ?? new ConcurrentDictionary<string, TokenHolder>(StringComparer.Ordinal);
                overflow[holder.Key] = holder;
                Volatile.Write(ref _overflow, overflow);
            }

            return holder;
        }
    }
}
