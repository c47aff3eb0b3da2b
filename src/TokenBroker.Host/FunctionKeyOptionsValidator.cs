using Microsoft.Extensions.Options;

namespace TokenBroker.Host;

/// <summary>Refuses to start a non-development host whose token route would be open to anyone.</summary>
internal sealed class FunctionKeyOptionsValidator(IHostEnvironment environment) : IValidateOptions<FunctionKeyOptions>
{
    internal const int MinimumKeyLength = 32;

    public ValidateOptionsResult Validate(string? name, FunctionKeyOptions options)
    {
        if (string.IsNullOrEmpty(options.ApiKey))
        {
            return environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{FunctionKeyOptions.SectionName}:ApiKey is required outside the Development environment.");
        }

        return options.ApiKey.Length < MinimumKeyLength
            ? ValidateOptionsResult.Fail($"{FunctionKeyOptions.SectionName}:ApiKey must be at least {MinimumKeyLength} characters.")
            : ValidateOptionsResult.Success;
    }
}
