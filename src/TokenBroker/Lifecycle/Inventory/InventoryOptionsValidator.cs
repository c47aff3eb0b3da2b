using Microsoft.Extensions.Options;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>Checks <c>TokenBroker:Lifecycle:Inventory</c> at start-up and names the full key of every problem.</summary>
internal sealed class InventoryOptionsValidator : IValidateOptions<InventoryOptions>
{
    public ValidateOptionsResult Validate(string? name, InventoryOptions options)
    {
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

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
