using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TokenBroker.Connections;

/// <summary>
/// Checks the whole <c>TokenBroker</c> section at start-up and reports every problem at once,
/// each naming the configuration key, so one deployment attempt shows everything to fix.
/// </summary>
internal sealed class TokenBrokerOptionsValidator(IHostEnvironment environment) : IValidateOptions<TokenBrokerOptions>
{
    private const string Prefix = TokenBrokerOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, TokenBrokerOptions options)
    {
        var errors = new List<string>();

        if (options.Connections.Count == 0)
        {
            errors.Add($"{Prefix}:Connections must name at least one connection.");
        }

        foreach (var (connectionName, connection) in options.Connections)
        {
            ValidateConnection(connectionName, connection, errors);
        }

        ValidateSecretSource(options, errors);

        if (options.SecretCacheDuration <= TimeSpan.Zero || options.SecretCacheDuration > TimeSpan.FromDays(1))
        {
            errors.Add($"{Prefix}:SecretCacheDuration must be between 00:00:01 and 1.00:00:00.");
        }

        if (options.AcquisitionTimeout <= TimeSpan.Zero || options.AcquisitionTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Prefix}:AcquisitionTimeout must be between 00:00:01 and 00:05:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateConnection(string name, ConnectionOptions connection, List<string> errors)
    {
        var key = $"{Prefix}:Connections:{name}";
        if (!ConnectionName.IsValid(name))
        {
            errors.Add($"{key}: the connection name must be {ConnectionName.Rule}.");
        }

        if (string.IsNullOrWhiteSpace(connection.TokenEndpoint))
        {
            errors.Add($"{key}:TokenEndpoint is required.");
        }
        else if (!Uri.TryCreate(connection.TokenEndpoint, UriKind.Absolute, out var endpoint)
            || !(endpoint.Scheme == Uri.UriSchemeHttps || (endpoint.Scheme == Uri.UriSchemeHttp && IsLoopback(endpoint))))
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

        if (string.IsNullOrWhiteSpace(connection.SecretName))
        {
            errors.Add($"{key}:SecretName is required.");
        }
        else if (!IsSecretName(connection.SecretName.Trim()))
        {
            errors.Add($"{key}:SecretName must be a Key Vault secret name: 1 to 127 characters, letters, digits and '-'.");
        }

        var defaults = ValidateScopes($"{key}:Scopes", connection.Scopes, errors);
        var allowed = string.IsNullOrWhiteSpace(connection.AllowedScopes)
            ? defaults
            : ValidateScopes($"{key}:AllowedScopes", connection.AllowedScopes, errors);
        if (defaults is not null && allowed is not null && !defaults.IsSubsetOf(allowed))
        {
            errors.Add($"{key}:AllowedScopes must include every default scope; missing: {string.Join(' ', defaults.Except(allowed))}.");
        }

        if (!ClientAuthMethodNames.TryParse(connection.AuthMethod, out _))
        {
            errors.Add($"{key}:AuthMethod '{connection.AuthMethod}' is not supported; use one of: {ClientAuthMethodNames.Supported}.");
        }
    }

    private void ValidateSecretSource(TokenBrokerOptions options, List<string> errors)
    {
        if (options.KeyVaultUri is { } vault && (!vault.IsAbsoluteUri || vault.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{Prefix}:KeyVaultUri must be an absolute https URL such as https://my-vault.vault.azure.net/.");
        }

        if (environment.IsDevelopment())
        {
            return;
        }

        // Secrets in app settings or on disk are fine on a laptop and a liability anywhere else.
        if (options.KeyVaultUri is null)
        {
            errors.Add($"{Prefix}:KeyVaultUri is required outside the Development environment; secrets from configuration are for local runs only.");
        }

        if (!string.IsNullOrWhiteSpace(options.LocalSecretsFile))
        {
            errors.Add($"{Prefix}:LocalSecretsFile is for local runs only and is refused outside the Development environment.");
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

    private static bool IsSecretName(string name) =>
        name.Length is > 0 and <= 127 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));
}
