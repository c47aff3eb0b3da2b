using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Options;
using TokenBroker.Access;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Operations;

namespace TokenBroker.Audit;

/// <summary>
/// Where the request path and the operations endpoints report who got which token. A repeat delivery only counts (see
/// <see cref="TokenHolders"/>); everything else becomes an <see cref="AuditRecord"/> in a bounded channel that the
/// <see cref="AuditWriter"/> drains. Nothing here waits: a full channel drops the record and counts it, and the writer
/// reports the count.
/// </summary>
public sealed class AuditTrail
{
    /// <summary>The denial limiter's key for requests without valid credentials: they share one window.</summary>
    internal const string UnauthenticatedKey = "unauthenticated";

    private readonly Channel<AuditRecord> _queue;
    private readonly ConcurrentDictionary<TokenHolders, byte> _open = new();
    private readonly TimeProvider _time;
    private long _dropped;

    internal AuditTrail(IOptions<AuditOptions> options, TimeProvider time, string instance, Redactor callerRedactor)
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
    internal string Instance { get; }

    /// <summary>The host's redactor for caller ids (<c>TokenBrokerTaxonomy.CallerIdentifier</c>).</summary>
    internal Redactor CallerRedactor { get; }

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
    internal void Delivered(MemoryEntry entry, Connection connection, ScopeSet scopes, Caller? caller, string tier)
    {
        if (entry.Holders is { } holders && holders.TryCount(caller))
        {
            return;
        }

        FirstDelivery(entry.GetOrAddHolders(), connection, scopes, caller, tier, track: true);
    }

    /// <summary>A token that is not kept in memory (too large for the table, say) went to <paramref name="caller"/>.</summary>
    internal void DeliveredUncached(TokenCacheKey key, CachedToken token, Connection connection, ScopeSet scopes, Caller? caller, string tier) =>
        FirstDelivery(new TokenHolders(key, token), connection, scopes, caller, tier, track: false);

    /// <summary>
    /// A request refused or failed: <paramref name="code"/> is the problem code the caller got. Recorded up to the
    /// per-caller limit of the window, then counted; <paramref name="connection"/> and <paramref name="scope"/> must
    /// already have passed their syntax rules (or be null), since they are caller input.
    /// </summary>
    internal void RecordRefusal(Caller? caller, string? connection, string? scope, string code, bool upstream)
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

    /// <summary>
    /// A token request refused or failed after the decision, with the code the caller is answered with. The connection
    /// name and the scopes are caller input: recorded only when they pass their syntax rules, the scopes normalized.
    /// </summary>
    internal void Refused(Caller caller, string connection, string? scope, TokenError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var scopes = string.IsNullOrWhiteSpace(scope) ? null : ScopeSet.TryParse(scope, out var parsed, out _) ? parsed.Value : null;
        RecordRefusal(caller, ConnectionName.IsValid(connection) ? connection : null, scopes, AuditCodes.For(error.Kind), AuditCodes.IsUpstream(error.Kind));
    }

    /// <summary>A request without valid credentials (401), for <paramref name="connection"/> when its name is well formed.</summary>
    internal void Unauthenticated(string? connection) =>
        RecordRefusal(null, ConnectionName.IsValid(connection) ? connection : null, null, AuditCodes.Unauthenticated, upstream: false);

    /// <summary>A caller refused the operations endpoints: <paramref name="caller"/> when identified (403), else null (401).</summary>
    internal void OperatorRefused(Caller? caller) =>
        RecordRefusal(caller, null, "operations", caller is null ? AuditCodes.Unauthenticated : "caller_not_allowed", upstream: false);

    /// <summary>
    /// An operator's action on a connection: who (<paramref name="caller"/>, null for a bare admin key), by which
    /// <paramref name="credential"/> (<c>admin_role</c>, <c>admin_key</c>, <c>development</c>), what (<c>refresh</c>,
    /// <c>evict</c>) and how it ended (<c>succeeded</c>, <c>failed</c>, <c>not_found</c>).
    /// </summary>
    internal void OperatorAction(Caller? caller, string credential, string action, string connection, string outcome) =>
        Enqueue(new AuditRecord(AuditEvent.OperatorAction, _time.GetUtcNow(), caller, connection, action, outcome, Credential: credential));

    /// <summary>
    /// The callers holding the tokens this instance serves from memory for a connection (its <paramref name="partitionKey"/>),
    /// with caller ids redacted as in the records.
    /// </summary>
    internal IReadOnlyList<TokenHolderStatus> HoldersOf(MemoryTokenCache memory, string partitionKey, DateTimeOffset now)
    {
        var holders = new List<TokenHolderStatus>();
        foreach (var (key, entry) in memory.Entries)
        {
            if (!TokenCacheKey.IsInPartition(key, partitionKey) || now >= entry.ServeUntil || entry.Holders is not { } tokenHolders)
            {
                continue;
            }

            foreach (var holder in tokenHolders.All)
            {
                holders.Add(new TokenHolderStatus(
                    holder.Scope,
                    tokenHolders.Fingerprint,
                    entry.Token.ExpiresOn,
                    Redact(holder.Caller?.AppId),
                    Redact(holder.Caller?.ObjectId),
                    holder.Caller is { } caller ? AuditWriter.ModeName(caller.Mode) : "in_process",
                    holder.FirstDelivered,
                    holder.Deliveries));
            }
        }

        return holders;
    }

    private string Redact(string? id) => string.IsNullOrEmpty(id) ? string.Empty : CallerRedactor.Redact(id);

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
