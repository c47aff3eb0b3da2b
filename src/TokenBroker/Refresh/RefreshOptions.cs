namespace TokenBroker.Refresh;

/// <summary>Proactive refresh, bound from <c>TokenBroker:Refresh</c> (who fetches an entry is <see cref="Coordination.CoordinationOptions"/>).</summary>
internal sealed class RefreshOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:Refresh";

    /// <summary>
    /// When the refresh job runs: a six-field NCRONTAB expression (with seconds), as Azure Functions timers take it,
    /// or a TimeSpan interval. The Functions app reads it as <c>%TokenBroker:Refresh:Schedule%</c>.
    /// </summary>
    public string Schedule { get; set; } = "0 */1 * * * *";

    /// <summary>Whether the standalone host runs the refresh job itself (the Functions app uses its timer trigger).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A token enters its refresh window once this share of its lifetime has passed...</summary>
    public double WindowRatio { get; set; } = 0.75;

    /// <summary>...or once this little is left before expiry, whichever comes later.</summary>
    public TimeSpan BeforeExpiry { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Refresh points are moved earlier by a random share of the lifetime up to this, so connections do not refresh in the same second.</summary>
    public double JitterRatio { get; set; } = 0.05;

    /// <summary>Entries nobody requested for this long are not refreshed and are deleted.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often every instance writes its callers' use of cached tokens to the table, for the idle rule.</summary>
    public TimeSpan UsageMarkInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many entries the job refreshes at once.</summary>
    public int MaxParallelRefreshes { get; set; } = 4;
}
