using Microsoft.Extensions.Options;
using TokenBroker.Refresh;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// Checks <c>TokenBroker:Lifecycle:Inventory</c> at start-up and names the full key of every problem. The run-time budget is
/// checked against the refresh schedule, since the inventory runs inside the refresh run.
/// </summary>
internal sealed class InventoryOptionsValidator(IOptions<RefreshOptions>? refresh = null) : IValidateOptions<InventoryOptions>
{
    /// <summary>
    /// The most one run may read. Key Vault allows 4,000 secret transactions per vault per region in 10 seconds
    /// (https://learn.microsoft.com/azure/key-vault/general/service-limits, "Secrets, managed storage account keys, and
    /// vault transactions"); a run lasts well under 10 seconds, so this keeps one run within half of it, leaving the rest
    /// to the broker's own secret reads and the vault's other users.
    /// </summary>
    public const int MostReadsPerRun = 2000;

    /// <summary>The most reads at once: Key Vault and Graph see a steady trickle, never a burst.</summary>
    public const int MostParallelReads = 16;

    /// <summary>The share of the refresh schedule's interval the inventory may take (the refresh run's target is 10 %).</summary>
    public const double MostShareOfSchedule = 0.10;

    public ValidateOptionsResult Validate(string? name, InventoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string prefix = InventoryOptions.SectionName;
        var errors = new List<string>();

        // Under a minute the inventory would read Graph and Key Vault on nearly every refresh run; over a week a new
        // problem could go unseen for longer than the critical window is worth.
        if (options.Interval < TimeSpan.FromMinutes(1) || options.Interval > TimeSpan.FromDays(7))
        {
            errors.Add($"{prefix}:Interval must be between 00:01:00 and 7.00:00:00.");
        }

        if (options.WarningWindow <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}:WarningWindow must be positive.");
        }

        if (options.CriticalWindow <= TimeSpan.Zero || options.CriticalWindow >= options.WarningWindow)
        {
            errors.Add($"{prefix}:CriticalWindow must be positive and shorter than {prefix}:WarningWindow ({options.WarningWindow}).");
        }

        var period = RefreshPeriod.Of(refresh?.Value.Schedule) ?? TimeSpan.FromMinutes(1);
        // A schedule faster than a second leaves less than the floor: the floor is then the whole allowance.
        var most = period * MostShareOfSchedule < InventoryOptions.MinMaxRunTime ? InventoryOptions.MinMaxRunTime : period * MostShareOfSchedule;
        if (options.RunBudget < InventoryOptions.MinMaxRunTime || options.RunBudget > most)
        {
            errors.Add($"{prefix}:MaxRunTime must be between 00:00:00.1 and a tenth of the refresh schedule's interval ({most}, of {RefreshOptions.SectionName}:Schedule every {period}).");
        }

        if (options.MaxReadsPerRun is < 1 or > MostReadsPerRun)
        {
            errors.Add($"{prefix}:MaxReadsPerRun must be between 1 and {MostReadsPerRun} (Key Vault allows 4,000 secret transactions per vault in 10 seconds).");
        }

        if (options.MaxParallelReads is < 1 or > MostParallelReads)
        {
            errors.Add($"{prefix}:MaxParallelReads must be between 1 and {MostParallelReads}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
