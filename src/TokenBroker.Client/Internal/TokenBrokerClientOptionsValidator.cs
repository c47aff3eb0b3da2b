using Microsoft.Extensions.Options;

namespace TokenBroker.Client.Internal;

/// <summary>Checks <c>TokenBrokerClient</c> at start-up and names the key of every problem.</summary>
internal sealed class TokenBrokerClientOptionsValidator : IValidateOptions<TokenBrokerClientOptions>
{
    private const string Prefix = TokenBrokerClientOptions.SectionName;

    private static readonly TimeSpan LongestSafetyMargin = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, TokenBrokerClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.BrokerUri is not { IsAbsoluteUri: true } uri
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            // Plain http would carry the function key, the caller's token and the downstream token in the clear.
            errors.Add($"{Prefix}:BrokerUri must be an absolute https URL without query or fragment (http only on a loopback address).");
        }

        if (options.BrokerScope is { } scope && (scope.Length == 0 || scope.Any(char.IsWhiteSpace)))
        {
            errors.Add($"{Prefix}:BrokerScope must be one scope, such as api://tokenbroker/.default, or not set.");
        }

        if (options.FunctionKey is { Length: 0 })
        {
            errors.Add($"{Prefix}:FunctionKey must not be empty; leave it unset where the broker needs no key.");
        }

        if (!string.IsNullOrEmpty(options.ManagedIdentityClientId) && !Guid.TryParse(options.ManagedIdentityClientId, out _))
        {
            errors.Add($"{Prefix}:ManagedIdentityClientId must be the identity's client id (a GUID).");
        }

        if (options.SafetyMargin < TimeSpan.Zero || options.SafetyMargin > LongestSafetyMargin)
        {
            errors.Add($"{Prefix}:SafetyMargin must be between {TimeSpan.Zero} and {LongestSafetyMargin}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
