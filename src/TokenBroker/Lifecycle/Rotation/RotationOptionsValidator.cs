using Microsoft.Extensions.Options;

namespace TokenBroker.Lifecycle.Rotation;

/// <summary>Checks <see cref="RotationOptions"/> at start-up; each error names the full key.</summary>
internal sealed class RotationOptionsValidator : IValidateOptions<RotationOptions>
{
    public ValidateOptionsResult Validate(string? name, RotationOptions options)
    {
        var errors = new List<string>();
        var prefix = RotationOptions.SectionName;
        if (options.RetryInterval <= TimeSpan.Zero || options.RetryInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"{prefix}:RetryInterval must be more than zero and at most 01:00:00.");
        }

        if (options.MaxRetryInterval < options.RetryInterval || options.MaxRetryInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"{prefix}:MaxRetryInterval must be at least RetryInterval and at most 1.00:00:00.");
        }

        if (options.MaxRunTime < TimeSpan.FromSeconds(1) || options.MaxRunTime > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{prefix}:MaxRunTime must be between 00:00:01 and 00:10:00.");
        }

        if (options.DueCheckInterval <= TimeSpan.Zero || options.DueCheckInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"{prefix}:DueCheckInterval must be more than zero and at most 1.00:00:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
