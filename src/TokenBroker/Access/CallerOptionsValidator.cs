using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TokenBroker.Access;

/// <summary>Checks <c>TokenBroker:Callers</c> at start-up and names the key of every problem.</summary>
internal sealed class CallerOptionsValidator(IHostEnvironment environment) : IValidateOptions<CallerOptions>
{
    public ValidateOptionsResult Validate(string? name, CallerOptions options)
    {
        var errors = new List<string>();
        const string prefix = CallerOptions.SectionName;
        var mode = options.EffectiveMode(environment.IsDevelopment());
        if (mode == CallerMode.Development && !environment.IsDevelopment())
        {
            errors.Add($"{prefix}:Mode Development (no caller identity) is refused outside the Development environment.");
        }

        if (mode == CallerMode.Jwt)
        {
            if (options.Authority is not { IsAbsoluteUri: true } authority
                || !(authority.Scheme == Uri.UriSchemeHttps || (authority.Scheme == Uri.UriSchemeHttp && authority.IsLoopback)))
            {
                errors.Add($"{prefix}:Authority must be an absolute https URL (the OIDC issuer callers' tokens come from) when caller identity uses Jwt mode; set {prefix}:Mode to choose another mode.");
            }

            if (string.IsNullOrWhiteSpace(options.Audience))
            {
                errors.Add($"{prefix}:Audience is required in Jwt mode: the broker's app id URI or client id.");
            }
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{prefix}:ClockSkew must be between 00:00:00 and 00:10:00.");
        }

        if (string.IsNullOrWhiteSpace(options.AdminRole))
        {
            errors.Add($"{prefix}:AdminRole must not be empty.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
