using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;

namespace TokenBroker.Access;

/// <summary>Checks <c>TokenBroker:Callers</c> at start-up and names the key of every problem.</summary>
internal sealed class CallerOptionsValidator(IHostEnvironment environment, IConfiguration configuration) : IValidateOptions<CallerOptions>
{
    /// <summary>
    /// Set to <c>True</c> by App Service (and Functions) when App Service Authentication is on for the app: the same
    /// signal Microsoft.Identity.Web's <c>AppServicesAuthenticationInformation</c> reads.
    /// </summary>
    internal const string AppServiceAuthEnabled = "WEBSITE_AUTH_ENABLED";

    public ValidateOptionsResult Validate(string? name, CallerOptions options)
    {
        var errors = new List<string>();
        const string prefix = CallerOptions.SectionName;
        var mode = options.EffectiveMode(environment.IsDevelopment());
        if (mode == CallerMode.Development && !environment.IsDevelopment())
        {
            errors.Add($"{prefix}:Mode Development (no caller identity) is refused outside the Development environment.");
        }

        // X-MS-CLIENT-PRINCIPAL is trustworthy only when App Service Authentication sits in front and strips what callers
        // send; anywhere else any caller can write it. The platform says when it is on.
        if (mode == CallerMode.EasyAuth && !string.Equals(configuration[AppServiceAuthEnabled], "True", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{prefix}:Mode EasyAuth trusts X-MS-CLIENT-PRINCIPAL, which only App Service Authentication may set, but {AppServiceAuthEnabled} is not True here: turn App Service Authentication on, or use Jwt.");
        }

        if (mode == CallerMode.Jwt)
        {
            if (options.Authority is not { IsAbsoluteUri: true } authority || !UriRules.IsHttpsOrLoopbackHttp(authority))
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

        if (options.MetadataTimeout <= TimeSpan.Zero || options.MetadataTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{prefix}:MetadataTimeout must be more than 00:00:00 and at most 00:01:00.");
        }

        if (options.MetadataRetryAfter < TimeSpan.FromSeconds(1) || options.MetadataRetryAfter > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{prefix}:MetadataRetryAfter must be between 00:00:01 and 00:05:00.");
        }

        if (string.IsNullOrWhiteSpace(options.AdminRole))
        {
            errors.Add($"{prefix}:AdminRole must not be empty.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
