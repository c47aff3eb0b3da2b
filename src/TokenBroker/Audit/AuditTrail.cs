using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Options;
using TokenBroker.Access;
using TokenBroker.Caching;
using TokenBroker.Connections;

namespace TokenBroker.Audit;

/// <summary>
/// Where the request path and the operations endpoints report who got which token. A repeat delivery only counts (see
/// <see cref="TokenHolders"/>); everything else becomes an <see cref="AuditRecord"/> in a bounded channel that the
/// <see cref="AuditWriter"/> drains. Nothing here waits: a full channel drops the record and counts it, and the writer
/// reports the count.
/// </summary>
internal sealed class AuditTrail
{
    /// <summary>The denial limiter's key for requests without valid credentials: they share one window.</summary>
    internal const string UnauthenticatedKey = "unauthenticated";

    private readonly Channel<AuditRecord> _queue;
    private readonly ConcurrentDictionary<TokenHolders, byte> _open = new();
    private readonly TimeProvider _time;
    private long _dropped;

    public AuditTrail(IOptions<AuditOptions> options, TimeProvider time, string instance, Redactor callerRedactor)
    {
        var settings = options.Value;
        _time = time;
        Instance = instance;
        CallerRedactor = callerRedactor;
        Limiter = new DenialRateLimiter(settings.DenialsPerWindow, settings.DenialWindow, settings.MaxTrackedCallers);
        _queue = Channel.CreateBounded<AuditRecord>(new BoundedChannelOptions(settings.QueueCapacity)
        {
            // Wait, not a Drop mode: only Wait makes TryWrite return false when full, and a drop must be counted.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>This instance's name in every record (the same as in the table's leases).</summary>
    public string Instance { get; }

    /// <summary>The host's redactor for caller ids (<c>TokenBrokerTaxonomy.CallerIdentifier</c>).</summary>
    public Redactor CallerRedactor { get; }

    internal DenialRateLimiter Limiter { get; }

    internal ChannelReader<AuditRecord> Reader => _queue.Reader;

    /// <summary>Tokens with holders whose counts are not closed yet.</summary>
    internal ICollection<TokenHolders> Open => _open.Keys;

    /// <summary>Records dropped since the last call.</summary>
    internal long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

    internal void Forget(TokenHolders holders) => _open.TryRemove(holders, out _);

    internal void Reopen(TokenHolders holders) => _open.TryAdd(holders, 0);

    /// <summary>
    /// A token from memory (or just stored there) went to <paramref name="caller"/>. The hot path: a known pair costs a
    /// scan of a few references and one interlocked add, and allocates nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Delivered(MemoryEntry entry, Connection connection, ScopeSet scopes, Caller? caller, string tier)
    {
        if (entry.Holders is { } holders && holders.TryCount(caller))
        {
            return;
        }

        FirstDelivery(entry.GetOrAddHolders(), connection, scopes, caller, tier, track: true);
    }

    /// <summary>A token that is not kept in memory (too large for the table, say) went to <paramref name="caller"/>.</summary>
    public void DeliveredUncached(TokenCacheKey key, CachedToken token, Connection connection, ScopeSet scopes, Caller? caller, string tier) =>
        FirstDelivery(new TokenHolders(key, token), connection, scopes, caller, tier, track: false);

    /// <summary>
    /// A request refused or failed: <paramref name="code"/> is the problem code the caller got. Recorded up to the
    /// per-caller limit of the window, then counted; <paramref name="connection"/> and <paramref name="scope"/> must
    /// already have passed their syntax rules (or be null), since they are caller input.
    /// </summary>
    public void Refused(Caller? caller, string? connection, string? scope, string code, bool upstream)
    {
        var now = _time.GetUtcNow();
        var key = caller?.AuditKey ?? (code == AuditCodes.Unauthenticated ? UnauthenticatedKey : TokenHolder.InProcessKey);
        var recorded = Limiter.TryAcquire(key, caller, now, out var summary);
        if (summary is { } ended)
        {
            Enqueue(ended);
        }

        if (recorded)
        {
            Enqueue(new AuditRecord(upstream ? AuditEvent.TokenFailed : AuditEvent.TokenDenied, now, caller, connection, scope, code));
        }
    }

    /// <summary>An operator's action on a connection, with who did it and with which credential.</summary>
    public void OperatorAction(Caller? caller, string credential, string action, string connection, string outcome) =>
        Enqueue(new AuditRecord(AuditEvent.OperatorAction, _time.GetUtcNow(), caller, connection, action, outcome, Credential: credential));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FirstDelivery(TokenHolders holders, Connection connection, ScopeSet scopes, Caller? caller, string tier, bool track)
    {
        var now = _time.GetUtcNow();
        if (holders.Add(caller, now, tier, connection.Name, scopes.Value) is not { } holder)
        {
            return;
        }

        if (track)
        {
            _open.TryAdd(holders, 0);
        }

        Enqueue(new AuditRecord(AuditEvent.TokenIssued, now, caller, connection.Name, scopes.Value, null, holders, holder));
    }

    private void Enqueue(AuditRecord record)
    {
        if (!_queue.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _dropped);
        }
    }
}
