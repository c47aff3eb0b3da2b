using Microsoft.Extensions.Options;

namespace TokenBroker.Coordination;

/// <summary>Checks <c>TokenBroker:Coordination</c> at start-up and names the key of every problem.</summary>
internal sealed class CoordinationOptionsValidator : IValidateOptions<CoordinationOptions>
{
    private const string Prefix = CoordinationOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, CoordinationOptions options)
    {
        var errors = new List<string>();
        Require(errors, nameof(options.LeaseDuration), options.LeaseDuration, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Require(errors, nameof(options.PeerWait), options.PeerWait, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Require(errors, nameof(options.PeerPollInterval), options.PeerPollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10));
        Require(errors, nameof(options.RejectionHold), options.RejectionHold, TimeSpan.Zero, TimeSpan.FromHours(1));
        Require(errors, nameof(options.RefreshStagger), options.RefreshStagger, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        if (options.PeerReadLimit is < 2 or > 100)
        {
            errors.Add($"{Prefix}:{nameof(options.PeerReadLimit)} must be between 2 and 100.");
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
