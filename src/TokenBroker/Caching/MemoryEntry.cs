using TokenBroker.Audit;

namespace TokenBroker.Caching;

/// <summary>
/// A token in the memory tier with the instants that govern it. Mutable only in a few fields, all written without locks:
/// the last time a caller used it (for idle detection), what the shared entity says of that, and whether (and from when)
/// a background refresh may start.
/// </summary>
internal sealed class MemoryEntry(
    TokenCacheKey key, CachedToken token, DateTimeOffset serveUntil, DateTimeOffset refreshAt, DateTimeOffset lastRequested, TimeSpan refreshStagger = default)
{
    private long _lastRequestedTicks = lastRequested.UtcTicks;
    private long _lastRequestedInTableTicks;
    private int _refreshStarted;
    private TokenHolders? _holders;
    private long _refreshRetryTicks;

    public TokenCacheKey Key { get; } = key;

    public CachedToken Token { get; } = token;

    public DateTimeOffset ServeUntil { get; } = serveUntil;

    /// <summary>The entry's refresh point, as the shared entity has it: the same on every instance.</summary>
    public DateTimeOffset RefreshAt { get; } = refreshAt;

    /// <summary>
    /// When a hit on this instance starts a background refresh: <see cref="RefreshAt"/> when this instance fetched the token,
    /// later by a stagger when it took the token from the table, so the fetcher refreshes first and the others find its
    /// token instead of racing it for the lease. Never past <see cref="ServeUntil"/> (the stagger is capped when it is made).
    /// </summary>
    public DateTimeOffset StaggeredRefreshAt { get; } = refreshAt + refreshStagger;

    public DateTimeOffset LastRequested => new(Volatile.Read(ref _lastRequestedTicks), TimeSpan.Zero);

    /// <summary>The shared entity's <c>LastRequestedOn</c> as this instance last read or wrote it; null when unknown.</summary>
    public DateTimeOffset? LastRequestedInTable =>
        Volatile.Read(ref _lastRequestedInTableTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Notes what the shared entity's <c>LastRequestedOn</c> was when read, or became when written.</summary>
    public void NoteLastRequestedInTable(DateTimeOffset? value)
    {
        if (value is { } known)
        {
            Volatile.Write(ref _lastRequestedInTableTicks, known.UtcTicks);
        }
    }

    /// <summary>Notes a use. Only ever moves forward, and only when a second has passed: idle detection needs no more, and
    /// skipping the write keeps hits on many cores from fighting over one cache line.</summary>
    public void Touch(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        var seen = Volatile.Read(ref _lastRequestedTicks);
        if (ticks - seen < TimeSpan.TicksPerSecond)
        {
            return;
        }

        while (ticks > seen)
        {
            var previous = Interlocked.CompareExchange(ref _lastRequestedTicks, ticks, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    /// <summary>The callers this token was delivered to (the audit's pairs); null until the first delivery.</summary>
    public TokenHolders? Holders => Volatile.Read(ref _holders);

    public TokenHolders GetOrAddHolders() =>
        Volatile.Read(ref _holders) ?? Interlocked.CompareExchange(ref _holders, new TokenHolders(Key, Token), null) ?? _holders!;

    /// <summary>Keeps the holders of <paramref name="previous"/> when it held the same token (stored again, say from the table).</summary>
    public void InheritHolders(MemoryEntry previous)
    {
        if (previous.Holders is { } holders && string.Equals(previous.Token.AccessToken, Token.AccessToken, StringComparison.Ordinal))
        {
            Interlocked.CompareExchange(ref _holders, holders, null);
        }
    }

    /// <summary>
    /// True for exactly one caller: the one that starts the background refresh of this token. After a failed refresh it
    /// is true again, once, from <c>retryAt</c> on.
    /// </summary>
    public bool TryStartRefresh(DateTimeOffset now) =>
        now.UtcTicks >= Volatile.Read(ref _refreshRetryTicks) && Interlocked.Exchange(ref _refreshStarted, 1) == 0;

    /// <summary>Whether a background refresh of this token is running (started, and neither failed nor replaced yet).</summary>
    public bool IsRefreshing => Volatile.Read(ref _refreshStarted) == 1;

    /// <summary>The background refresh failed: let a hit start another one from <paramref name="retryAt"/> on.</summary>
    public void RefreshFailed(DateTimeOffset retryAt)
    {
        Volatile.Write(ref _refreshRetryTicks, retryAt.UtcTicks);
        Volatile.Write(ref _refreshStarted, 0);
    }
}
