namespace TokenBroker.Lifecycle.Inventory;

/// <summary>How often the credential expiry inventory is taken and what it calls near, bound from <c>TokenBroker:Lifecycle:Inventory</c>.</summary>
internal sealed class InventoryOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:Lifecycle:Inventory";

    /// <summary>Whether the refresh run takes the inventory at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long one inventory stays current before the next refresh run takes another.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A credential expiring within this is flagged <c>expiring_warning</c>.</summary>
    public TimeSpan WarningWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A credential expiring within this is flagged <c>expiring_critical</c>; shorter than <see cref="WarningWindow"/>.</summary>
    public TimeSpan CriticalWindow { get; set; } = TimeSpan.FromDays(7);
}
