using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;

namespace TokenBroker.Access;

/// <summary>Checks <c>TokenBroker:Access</c> at start-up against the connections and names the key of every problem.</summary>
internal sealed class AccessOptionsValidator(IHostEnvironment environment, IOptions<TokenBrokerOptions> broker, IOptions<CallerOptions> callers)
    : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            var key = $"{AccessOptions.SectionName}:Rules:{i}";
            var named = new[] { rule.AppId, rule.ObjectId, rule.Role }.Count(v => !string.IsNullOrWhiteSpace(v));
            if (named != 1)
            {
                errors.Add($"{key} must name exactly one of AppId, ObjectId or Role.");
            }

            if (rule.Connections.Count == 0)
            {
                errors.Add($"{key}:Connections must grant at least one connection.");
            }

            foreach (var (connection, scopes) in rule.Connections)
            {
                if (!broker.Value.TryFindConnection(connection, out _, out var configured))
                {
                    errors.Add($"{key}:Connections:{connection} names no configured connection.");
                    continue;
                }

                if (scopes?.Trim() == "*")
                {
                    continue;
                }

                var allowed = ScopeSet.TryParse(configured.EffectiveAllowedScopes, out var a, out _) ? a : ScopeSet.Empty;
                if (!ScopeSet.TryParse(scopes, out var granted, out var error))
                {
                    errors.Add($"{key}:Connections:{connection}: {error}");
                }
                else if (!granted.IsSubsetOf(allowed))
                {
                    errors.Add($"{key}:Connections:{connection} grants scopes the connection does not allow: {string.Join(' ', granted.Except(allowed))}.");
                }
            }
        }

        var mode = callers.Value.EffectiveMode(environment.IsDevelopment());
        if (options.Rules.Count == 0 && mode is CallerMode.Jwt or CallerMode.EasyAuth)
        {
            errors.Add($"{AccessOptions.SectionName}:Rules is empty: with caller identity on and default deny, no caller could obtain any token.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
