namespace TokenBroker.Caching;

/// <summary>What the start-up warm-up of the token path did (<see cref="TokenPathWarmup"/>).</summary>
internal enum TokenPathWarmupOutcome
{
    /// <summary>No read was sent: the shared tier was not usable, no connection is configured, or the host stopped first.</summary>
    Skipped,

    /// <summary>A read was sent and gave no token to open: the entry is missing or unservable, or the read failed or was stopped.</summary>
    Read,

    /// <summary>The entry's sealed token was read and opened, then dropped.</summary>
    Opened,
}
