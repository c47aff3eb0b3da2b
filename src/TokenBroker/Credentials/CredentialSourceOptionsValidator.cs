using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;

namespace TokenBroker.Credentials;

/// <summary>Checks where credentials come from at start-up, naming each key at fault.</summary>
internal sealed class CredentialSourceOptionsValidator(IHostEnvironment environment) : IValidateOptions<CredentialSourceOptions>
{
    private const string Prefix = TokenBrokerOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, CredentialSourceOptions options)
    {
        var errors = new List<string>();
        if (options.KeyVaultUri is { } vault && (!vault.IsAbsoluteUri || vault.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{Prefix}:KeyVaultUri must be an absolute https URL such as https://my-vault.vault.azure.net/.");
        }

        if (options.SecretCacheDuration <= TimeSpan.Zero || options.SecretCacheDuration > TimeSpan.FromDays(1))
        {
            errors.Add($"{Prefix}:SecretCacheDuration must be between 00:00:01 and 1.00:00:00.");
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
        }
        else
        {
            RefuseLocalSources(options, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // Secrets in app settings or on disk are fine on a laptop and a liability anywhere else.
    private static void RefuseLocalSources(CredentialSourceOptions options, List<string> errors)
    {
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
}
