namespace TokenBroker.Audit;

/// <summary>
/// The audit trail, bound from <c>TokenBroker:Audit</c>. The trail itself is always on; these only bound what it may cost.
/// </summary>
internal sealed class AuditOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:Audit";

    /// <summary>How many records may wait for the writer. A full queue drops records, counts them and reports the count.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>How many denials or failures of one caller are recorded one by one per <see cref="DenialWindow"/>.</summary>
    public int DenialsPerWindow { get; set; } = 20;

    /// <summary>The window of <see cref="DenialsPerWindow"/>; the denials beyond it are summed in one record when it ends.</summary>
    public TimeSpan DenialWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the writer looks for replaced or expired tokens to close their holders' counts.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many distinct callers the denial limiter tracks; beyond it, new callers share one limit.</summary>
    public int MaxTrackedCallers { get; set; } = 10_000;
}
