using Microsoft.Extensions.Options;

namespace TokenBroker.Refresh;

/// <summary>Checks <c>TokenBroker:Refresh</c> at start-up and names the key of every problem.</summary>
internal sealed class RefreshOptionsValidator : IValidateOptions<RefreshOptions>
{
    private const string Prefix = RefreshOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, RefreshOptions options)
    {
        var errors = new List<string>();
        if (!RefreshSchedule.TryParse(options.Schedule, out _))
        {
            errors.Add($"{Prefix}:Schedule '{options.Schedule}' is neither a six-field NCRONTAB expression nor a TimeSpan.");
        }

        if (options.WindowRatio is <= 0 or >= 1 || double.IsNaN(options.WindowRatio))
        {
            errors.Add($"{Prefix}:WindowRatio must be above 0 and below 1.");
        }

        if (options.JitterRatio is < 0 or > 0.25 || double.IsNaN(options.JitterRatio))
        {
            errors.Add($"{Prefix}:JitterRatio must be between 0 and 0.25.");
        }

        Require(errors, "BeforeExpiry", options.BeforeExpiry, TimeSpan.Zero, TimeSpan.FromHours(12));
        Require(errors, "IdleTimeout", options.IdleTimeout, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
        Require(errors, "UsageMarkInterval", options.UsageMarkInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Require(errors, "LeaseDuration", options.LeaseDuration, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Require(errors, "PeerWait", options.PeerWait, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Require(errors, "PeerPollInterval", options.PeerPollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10));
        Require(errors, "RejectionHold", options.RejectionHold, TimeSpan.Zero, TimeSpan.FromHours(1));
        if (options.PeerReadLimit is < 2 or > 100)
        {
            errors.Add($"{Prefix}:PeerReadLimit must be between 2 and 100.");
        }

        if (options.MaxParallelRefreshes is < 1 or > 64)
        {
            errors.Add($"{Prefix}:MaxParallelRefreshes must be between 1 and 64.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Require(List<string> errors, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{Prefix}:{key} must be between {min} and {max}.");
        }
    }
}
