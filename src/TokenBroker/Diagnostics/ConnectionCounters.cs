namespace TokenBroker.Diagnostics;

/// <summary>
/// Per-connection hit counts, bumped with one interlocked add on the hot path and read by an observable counter when
/// metrics are collected: a tagged <c>Counter.Add</c> per memory hit cost more than the rest of the hit together.
/// </summary>
internal sealed class ConnectionCounters
{
    private long _memoryHits;
    private long _tableHits;

    public long MemoryHits => Volatile.Read(ref _memoryHits);

    public long TableHits => Volatile.Read(ref _tableHits);

    public void MemoryHit() => Interlocked.Increment(ref _memoryHits);

    public void TableHit() => Interlocked.Increment(ref _tableHits);
}
