using Microsoft.Extensions.Options;

namespace TokenBroker.Acquisition;

/// <summary>Checks <c>TokenBroker:TokenEndpoint</c> at start-up and names the key of every problem.</summary>
internal sealed class TokenEndpointOptionsValidator : IValidateOptions<TokenEndpointOptions>
{
    private const string Prefix = TokenEndpointOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, TokenEndpointOptions options)
    {
        var errors = new List<string>();
        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            errors.Add($"{Prefix}:MaxRetryAttempts must be between 0 and 10.");
        }

        Require(errors, "RetryDelay", options.RetryDelay, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Require(errors, "MaxRetryAfter", options.MaxRetryAfter, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        Require(errors, "AttemptTimeout", options.AttemptTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(2));
        Require(errors, "TotalTimeout", options.TotalTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5));
        Require(errors, "BreakDuration", options.BreakDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(10));
        Require(errors, "UnavailableRetryAfter", options.UnavailableRetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Require(errors, "RetryAfterLimit", options.RetryAfterLimit, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));

        if (options.AttemptTimeout > options.TotalTimeout)
        {
            errors.Add($"{Prefix}:AttemptTimeout must not exceed {Prefix}:TotalTimeout.");
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
