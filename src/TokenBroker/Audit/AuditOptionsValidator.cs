using Microsoft.Extensions.Options;

namespace TokenBroker.Audit;

/// <summary>Checks <c>TokenBroker:Audit</c> at start-up and names the key of every problem.</summary>
internal sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        const string prefix = AuditOptions.SectionName;
        var errors = new List<string>();
        if (options.QueueCapacity is < 100 or > 1_000_000)
        {
            errors.Add($"{prefix}:QueueCapacity must be between 100 and 1000000.");
        }

        if (options.DenialsPerWindow is < 1 or > 100_000)
        {
            errors.Add($"{prefix}:DenialsPerWindow must be between 1 and 100000.");
        }

        if (options.DenialWindow < TimeSpan.FromSeconds(1) || options.DenialWindow > TimeSpan.FromHours(1))
        {
            errors.Add($"{prefix}:DenialWindow must be between 00:00:01 and 01:00:00.");
        }

        if (options.SweepInterval < TimeSpan.FromMilliseconds(100) || options.SweepInterval > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{prefix}:SweepInterval must be between 00:00:00.1 and 00:05:00.");
        }

        if (options.MaxTrackedCallers is < 1 or > 1_000_000)
        {
            errors.Add($"{prefix}:MaxTrackedCallers must be between 1 and 1000000.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
