namespace TokenBroker.Lifecycle.Inventory;

/// <summary>How often the credential expiry inventory is taken and what it calls near, bound from <c>TokenBroker:Lifecycle:Inventory</c>.</summary>
internal sealed class InventoryOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:Lifecycle:Inventory";

    /// <summary>Whether the refresh run takes the inventory at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How old a connection's inventory may grow: each is read again before it is this old.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A credential expiring within this is flagged <c>expiring_warning</c>.</summary>
    public TimeSpan WarningWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A credential expiring within this is flagged <c>expiring_critical</c>; shorter than <see cref="WarningWindow"/>.</summary>
    public TimeSpan CriticalWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The budget when <see cref="MaxRunTime"/> is unset and the refresh schedule leaves room for it.</summary>
    public static readonly TimeSpan DefaultMaxRunTime = TimeSpan.FromSeconds(3);

    /// <summary>The smallest budget: below it a run could not read even one connection from Key Vault and Graph.</summary>
    public static readonly TimeSpan MinMaxRunTime = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long one refresh run spends on the inventory: no connection is read after this, and the rest wait for the next
    /// run. At most a tenth of the refresh schedule's interval. Unset, a tenth of that interval, at most 3 s (the default
    /// minute's tenth is 6 s) and at least 100 ms, so a fast schedule needs no setting of its own.
    /// </summary>
    public TimeSpan? MaxRunTime { get; set; }

    /// <summary>The budget in effect: <see cref="MaxRunTime"/>, which start-up derives from the schedule when unset.</summary>
    internal TimeSpan RunBudget => MaxRunTime ?? DefaultMaxRunTime;

    /// <summary>The budget an unset <see cref="MaxRunTime"/> takes for a refresh schedule whose shortest gap is <paramref name="period"/>.</summary>
    internal static TimeSpan DefaultFor(TimeSpan? period)
    {
        var tenth = (period ?? TimeSpan.FromMinutes(1)) * InventoryOptionsValidator.MostShareOfSchedule;
        return tenth < MinMaxRunTime ? MinMaxRunTime : tenth > DefaultMaxRunTime ? DefaultMaxRunTime : tenth;
    }

    /// <summary>
    /// How many connections one refresh run reads at most: each costs a Key Vault version listing (and a Graph read for
    /// Entra ID), so this bounds what one run asks of the vault.
    /// </summary>
    public int MaxReadsPerRun { get; set; } = 500;

    /// <summary>How many connections are read at once.</summary>
    public int MaxParallelReads { get; set; } = 8;
}
