namespace TokenBroker.Refresh;

/// <summary>Proactive refresh and cross-instance coordination, bound from <c>TokenBroker:Refresh</c>.</summary>
public sealed class RefreshOptions
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

    /// <summary>How long one instance may hold the right to fetch a cache entry; a crashed holder blocks no one longer than this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an instance with no usable token waits for a peer that holds the lease before fetching itself.</summary>
    public TimeSpan PeerWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest gap between two reads of an instance waiting for the peer's result. The reads start when the peer's
    /// token should land (this instance's average fetch time for the connection) and back off from there.
    /// </summary>
    public TimeSpan PeerPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most table reads an instance makes while waiting for the peer's result, the last at the end of <see cref="PeerWait"/>.</summary>
    public int PeerReadLimit { get; set; } = 20;

    /// <summary>How long a connection whose every secret was refused is left alone, so the broker does not trip a lockout.</summary>
    public TimeSpan RejectionHold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often every instance writes its callers' use of cached tokens to the table, for the idle rule.</summary>
    public TimeSpan UsageMarkInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many entries the job refreshes at once.</summary>
    public int MaxParallelRefreshes { get; set; } = 4;
}
