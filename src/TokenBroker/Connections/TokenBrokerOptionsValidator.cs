using Microsoft.Extensions.Options;
using TokenBroker.Credentials;
using TokenBroker.Lifecycle;

namespace TokenBroker.Connections;

/// <summary>
/// Checks the whole <c>TokenBroker</c> section at start-up and reports every problem at once,
/// each naming the configuration key, so one deployment attempt shows everything to fix.
/// </summary>
internal sealed class TokenBrokerOptionsValidator : IValidateOptions<TokenBrokerOptions>
{
    private const string Prefix = TokenBrokerOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, TokenBrokerOptions options)
    {
        var errors = new List<string>();

        if (options.Connections.Count == 0)
        {
            errors.Add($"{Prefix}:Connections must name at least one connection.");
        }

        foreach (var (connectionKey, connection) in options.Connections)
        {
            ValidateConnection(connectionKey, connection, errors);
        }

        ValidateNamesAreUnique(options, errors);

        if (options.AcquisitionTimeout <= TimeSpan.Zero || options.AcquisitionTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Prefix}:AcquisitionTimeout must be between 00:00:01 and 00:05:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateConnection(string sectionKey, ConnectionOptions connection, List<string> errors)
    {
        var key = $"{Prefix}:Connections:{sectionKey}";
        if (!string.IsNullOrWhiteSpace(connection.Name))
        {
            if (!ConnectionName.IsValid(connection.Name.Trim()))
            {
                errors.Add($"{key}:Name must be {ConnectionName.Rule}.");
            }
        }
        else if (!ConnectionName.IsValid(sectionKey))
        {
            errors.Add($"{key}: the connection name must be {ConnectionName.Rule} (or set {key}:Name).");
        }

        if (string.IsNullOrWhiteSpace(connection.TokenEndpoint))
        {
            errors.Add($"{key}:TokenEndpoint is required.");
        }
        else if (!Uri.TryCreate(connection.TokenEndpoint, UriKind.Absolute, out var endpoint)
            || !UriRules.IsHttpsOrLoopbackHttp(endpoint))
        {
            errors.Add($"{key}:TokenEndpoint must be an absolute https URL (http is accepted only for loopback hosts).");
        }
        else if (!string.IsNullOrEmpty(endpoint.Fragment) || !string.IsNullOrEmpty(endpoint.UserInfo))
        {
            errors.Add($"{key}:TokenEndpoint must not carry a fragment or user information.");
        }

        if (string.IsNullOrWhiteSpace(connection.ClientId))
        {
            errors.Add($"{key}:ClientId is required.");
        }

        var defaults = ValidateScopes($"{key}:Scopes", connection.Scopes, errors);
        var allowed = connection.AllowedScopesDefaulted
            ? defaults
            : ValidateScopes($"{key}:AllowedScopes", connection.AllowedScopes, errors);
        if (defaults is not null && allowed is not null && !defaults.IsSubsetOf(allowed))
        {
            errors.Add($"{key}:AllowedScopes must include every default scope; missing: {string.Join(' ', defaults.Except(allowed))}.");
        }

        if (!ClientAuthMethods.TryFind(connection.AuthMethod, out var method))
        {
            errors.Add($"{key}:AuthMethod '{connection.AuthMethod}' is not supported; use one of: {ClientAuthMethodNames.Supported}.");

            // Which credential is required depends on the method, but a malformed name is wrong whatever it is.
            VaultCredential.ValidateName($"{key}:SecretName", connection.SecretName, required: false, VaultObject.SecretKind, errors);
            return;
        }

        method.Validate(key, connection, errors);
        RefuseSettingsOfOtherMethods(key, method, connection, errors);
        CredentialLifecycle.Validate(key, connection, method.Method, errors);
    }

    // A setting that belongs to another method means the operator believes something the broker will not do.
    private static void RefuseSettingsOfOtherMethods(string key, ClientAuthMethodRegistration method, ConnectionOptions connection, List<string> errors)
    {
        foreach (var other in ClientAuthMethods.All.Where(m => m.Method != method.Method))
        {
            foreach (var setting in other.OwnSettings.Where(s => !method.OwnSettings.Contains(s) && s.IsSet(connection)))
            {
                errors.Add($"{key}:{setting.Name} applies only to AuthMethod {other.Name}; this connection uses {method.Name}.");
            }
        }
    }

    // Two sections naming the same connection would silently shadow each other; a key that is another connection's name
    // would make an access rule's reference ambiguous.
    private static void ValidateNamesAreUnique(TokenBrokerOptions options, List<string> errors)
    {
        var named = options.Connections
            .Select(pair => (Key: pair.Key, Name: TokenBrokerOptions.EffectiveName(pair.Key, pair.Value)))
            .ToList();
        foreach (var group in named.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            var keys = string.Join(" and ", group.Select(c => $"{Prefix}:Connections:{c.Key}"));
            errors.Add($"{keys} both name the connection '{group.Key}'; connection names must be unique (case-insensitive).");
        }

        foreach (var (key, name) in named)
        {
            foreach (var other in named.Where(o => !string.Equals(o.Key, key, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase)
                && string.Equals(o.Name, key, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"{Prefix}:Connections:{key} is keyed by the name of the connection configured under {Prefix}:Connections:{other.Key}; choose another key.");
            }
        }
    }

    private static ScopeSet? ValidateScopes(string key, string? value, List<string> errors)
    {
        if (ScopeSet.TryParse(value, out var scopes, out var error))
        {
            return scopes;
        }

        errors.Add($"{key}: {error}");
        return null;
    }
}
