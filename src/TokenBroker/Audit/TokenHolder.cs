using System.Runtime.CompilerServices;
using TokenBroker.Access;

namespace TokenBroker.Audit;

/// <summary>
/// One caller holding one token: recorded at its first delivery, then only counted. The count is an interlocked long, so
/// a hit costs one atomic add; it is read once, when the token is replaced or expires (or at shutdown).
/// </summary>
internal sealed class TokenHolder
{
    // Callers of the key-less ITokenBroker overload: code inside the broker's own trust boundary.
    internal const string InProcessKey = "in-process";

    internal static readonly int InProcessKeyHash = StringComparer.Ordinal.GetHashCode(InProcessKey);

    private long _deliveries = 1;
    private int _closed;

    public TokenHolder(Caller? caller, DateTimeOffset firstDelivered, string tier, string connection, string scope)
    {
        Connection = connection;
        Scope = scope;
        Caller = caller;
        Key = caller?.AuditKey ?? InProcessKey;
        KeyHash = caller?.AuditKeyHash ?? InProcessKeyHash;
        FirstDelivered = firstDelivered;
        Tier = tier;
    }

    public Caller? Caller { get; }

    /// <summary>The connection's configured name and the scopes asked for at the first delivery.</summary>
    public string Connection { get; }

    public string Scope { get; }

    public string Key { get; }

    public int KeyHash { get; }

    public DateTimeOffset FirstDelivered { get; }

    /// <summary>Where the first delivery came from: <c>memory</c>, <c>table</c> or <c>authorization_server</c>.</summary>
    public string Tier { get; }

    /// <summary>Deliveries so far, the first included.</summary>
    public long Deliveries => Volatile.Read(ref _deliveries);

    public bool IsClosed => Volatile.Read(ref _closed) == 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Matches(string key, int hash) =>
        KeyHash == hash && (ReferenceEquals(Key, key) || string.Equals(Key, key, StringComparison.Ordinal));

    public void Count() => Interlocked.Increment(ref _deliveries);

    /// <summary>True once: for the closing record.</summary>
    public bool TryClose() => Interlocked.Exchange(ref _closed, 1) == 0;
}
