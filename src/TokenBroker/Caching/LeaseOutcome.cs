namespace TokenBroker.Caching;

/// <summary>What happened when an instance asked for the right to fetch a cache entry.</summary>
internal enum LeaseOutcome
{
    /// <summary>This instance holds the lease: it fetches, everyone else waits or serves what they have.</summary>
    Taken,

    /// <summary>Another instance holds it, or won the race for it.</summary>
    HeldByOther,

    /// <summary>Table Storage did not answer: each instance fends for itself (still single-flight within itself).</summary>
    Unavailable,
}
