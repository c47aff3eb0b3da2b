using Microsoft.Extensions.Options;
using TokenBroker.Connections;

namespace TokenBroker.Lifecycle;

/// <summary>Checks <c>TokenBroker:Lifecycle:Graph</c> at start-up and names the key of every problem.</summary>
internal sealed class GraphOptionsValidator : IValidateOptions<GraphOptions>
{
    public ValidateOptionsResult Validate(string? name, GraphOptions options)
    {
        const string prefix = GraphOptions.SectionName;
        var errors = new List<string>();
        if (options.BaseUrl is not { IsAbsoluteUri: true } baseUrl || !UriRules.IsHttpsOrLoopbackHttp(baseUrl))
        {
            errors.Add($"{prefix}:BaseUrl must be an absolute https URL (plain http only to a loopback host).");
        }

        // A token for the wrong resource would be sent to Graph and refused; a token for Graph must end in /.default
        // because application permissions are granted, never requested one by one.
        if (string.IsNullOrWhiteSpace(options.Scope) || !options.Scope.EndsWith("/.default", StringComparison.Ordinal))
        {
            errors.Add($"{prefix}:Scope must be a resource's /.default scope, such as https://graph.microsoft.com/.default.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{prefix}:Timeout must be between 00:00:00 (exclusive) and 00:05:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
