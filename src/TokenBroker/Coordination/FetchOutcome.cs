namespace TokenBroker.Coordination;

/// <summary>What a fetch did, for metrics and the refresh job's report.</summary>
internal enum FetchOutcome
{
    /// <summary>A good-enough token was already there (memory, the table, or a peer's result).</summary>
    Served,

    /// <summary>This instance obtained a new token.</summary>
    Fetched,

    /// <summary>The authorization server returned a token expiring when the old one did; the next attempt backs off.</summary>
    SameToken,

    /// <summary>Another instance holds the lease and the current token is still servable.</summary>
    LeasedElsewhere,

    /// <summary>A shared hold (Retry-After, or every secret refused) is in force; nobody calls the server.</summary>
    Held,

    /// <summary>The fetch failed.</summary>
    Failed,
}
