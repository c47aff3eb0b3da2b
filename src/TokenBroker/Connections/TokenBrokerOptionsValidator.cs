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

        foreach (var (connectionKey, connection) in options.Connections)
        {
            ValidateConnection(connectionKey, connection, errors);
        }

        ValidateNamesAreUnique(options, errors);

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

        if (!ClientAuthMethodNames.TryParse(connection.AuthMethod, out var method))
        {
            errors.Add($"{key}:AuthMethod '{connection.AuthMethod}' is not supported; use one of: {ClientAuthMethodNames.Supported}.");

            // Which credential is required depends on the method, but a malformed name is wrong whatever it is.
            ValidateVaultName($"{key}:SecretName", connection.SecretName, required: false, "secret", errors);
            return;
        }

        ValidateCredential(key, method.Value, connection, errors);
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

    private static void ValidateCredential(string key, ClientAuthMethod method, ConnectionOptions connection, List<string> errors)
    {
        var name = ClientAuthMethodNames.ToName(method);
        if (ClientAuthMethodNames.UsesSecret(method))
        {
            ValidateVaultName($"{key}:SecretName", connection.SecretName, required: true, "secret", errors);
        }

        // SecretName is tolerated (and unused) with the other methods, so moving a connection off secrets is one change.
        if (method == ClientAuthMethod.PrivateKeyJwt)
        {
            ValidateVaultName($"{key}:CertificateName", connection.CertificateName, required: true, "certificate", errors);
            if (SigningAlgorithmNames.Normalize(connection.SigningAlgorithm) is null)
            {
                errors.Add($"{key}:SigningAlgorithm '{connection.SigningAlgorithm}' is not supported; use one of: {SigningAlgorithmNames.Supported}.");
            }

            if (!string.IsNullOrWhiteSpace(connection.AssertionAudience) && !IsIssuer(connection.AssertionAudience.Trim()))
            {
                errors.Add($"{key}:AssertionAudience must be the authorization server's issuer identifier: an absolute https URL without query or fragment (http only for loopback hosts).");
            }
        }
        else
        {
            RefuseUnused($"{key}:CertificateName", connection.CertificateName, ClientAuthMethodNames.PrivateKeyJwt, name, errors);
            RefuseUnused($"{key}:SigningAlgorithm", connection.SigningAlgorithm, ClientAuthMethodNames.PrivateKeyJwt, name, errors);
            RefuseUnused($"{key}:AssertionAudience", connection.AssertionAudience, ClientAuthMethodNames.PrivateKeyJwt, name, errors);
        }

        if (method == ClientAuthMethod.ManagedIdentityFederation)
        {
            if (!string.IsNullOrWhiteSpace(connection.FederationAudience) && !IsFederationAudience(connection.FederationAudience.Trim()))
            {
                errors.Add($"{key}:FederationAudience must be an absolute URI without query, fragment or '/.default', such as {Connection.DefaultFederationAudience}.");
            }
        }
        else
        {
            RefuseUnused($"{key}:FederationAudience", connection.FederationAudience, ClientAuthMethodNames.ManagedIdentityFederation, name, errors);
        }
    }

    private static void ValidateVaultName(string key, string? value, bool required, string kind, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add($"{key} is required.");
            }
        }
        else if (!UriRules.IsVaultObjectName(value.Trim()))
        {
            errors.Add($"{key} must be a Key Vault {kind} name: 1 to 127 characters, letters, digits and '-'.");
        }
    }

    // A setting that belongs to another method means the operator believes something the broker will not do.
    private static void RefuseUnused(string key, string? value, string owner, string method, List<string> errors)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{key} applies only to AuthMethod {owner}; this connection uses {method}.");
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
            foreach (var (certificate, local) in options.Certificates)
            {
                if (string.IsNullOrWhiteSpace(local.Path))
                {
                    errors.Add($"{Prefix}:Certificates:{certificate}:Path is required: a PFX file, or a PEM file with the certificate (and its key, or KeyPath).");
                }
            }

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

        // A private key in a file or an app setting is the very thing Key Vault exists to avoid.
        if (options.Certificates.Count > 0)
        {
            errors.Add($"{Prefix}:Certificates is for local runs only and is refused outside the Development environment; use Key Vault certificates.");
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

    // RFC 8414 §2: an issuer identifier is an https URL with no query or fragment.
    private static bool IsIssuer(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && UriRules.IsHttpsOrLoopbackHttp(uri)
        && string.IsNullOrEmpty(uri.Query)
        && string.IsNullOrEmpty(uri.Fragment)
        && string.IsNullOrEmpty(uri.UserInfo);

    // The broker appends "/.default" itself; Entra's audiences (api://AzureADTokenExchange, …USGov, …China) are URIs.
    private static bool IsFederationAudience(string audience) =>
        Uri.TryCreate(audience, UriKind.Absolute, out var uri)
        && string.IsNullOrEmpty(uri.Query)
        && string.IsNullOrEmpty(uri.Fragment)
        && !audience.Any(char.IsWhiteSpace)
        && !audience.EndsWith("/.default", StringComparison.OrdinalIgnoreCase);
}
