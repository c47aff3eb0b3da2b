using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>Checks the options at start and names every bad key at once, so one run shows all mistakes.</summary>
internal sealed class DevAuthorizationServerOptionsValidator : IValidateOptions<DevAuthorizationServerOptions>
{
    private const string Section = DevAuthorizationServerOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, DevAuthorizationServerOptions options)
    {
        var errors = new List<string>();
        if (options.AccessTokenLifetime <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:AccessTokenLifetime must be positive.");
        }

        if (options.CredentialPropagationDelay < TimeSpan.Zero)
        {
            errors.Add($"{Section}:CredentialPropagationDelay must not be negative.");
        }

        if (options.MaxCredentialsPerApplication < 1)
        {
            errors.Add($"{Section}:MaxCredentialsPerApplication must be at least 1.");
        }

        if (options.TokenResponseDelay < TimeSpan.Zero || options.TokenResponseDelay > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{Section}:TokenResponseDelay must be between 00:00:00 and 00:01:00.");
        }

        if (options.Vault.Enabled)
        {
            if (string.IsNullOrWhiteSpace(options.Vault.CertificatePath))
            {
                errors.Add($"{Section}:Vault:CertificatePath is required when {Section}:Vault:Enabled is true.");
            }

            if (options.Vault.IdentityHeader is not { Length: >= 16 })
            {
                errors.Add($"{Section}:Vault:IdentityHeader must have at least 16 characters when {Section}:Vault:Enabled is true.");
            }

            if (options.Vault.SeedFile is { Length: > 0 } seed && !File.Exists(seed))
            {
                errors.Add($"{Section}:Vault:SeedFile names a file that does not exist: {seed}.");
            }
        }

        var clientIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Clients.Count; i++)
        {
            var client = options.Clients[i];
            var key = $"{Section}:Clients:{i}";
            if (string.IsNullOrWhiteSpace(client.ClientId))
            {
                errors.Add($"{key}:ClientId is required.");
            }
            else if (!clientIds.Add(client.ClientId))
            {
                errors.Add($"{key}:ClientId '{client.ClientId}' is registered twice.");
            }

            // A client with no secret and no certificate can never authenticate: almost certainly a typo in the key.
            if (client.Secrets.Count == 0 && client.Certificates.Count == 0)
            {
                errors.Add($"{key}:Secrets or {key}:Certificates must hold at least one secret or certificate.");
            }

            for (var j = 0; j < client.Certificates.Count; j++)
            {
                if (!IsPemCertificate(client.Certificates[j]))
                {
                    errors.Add($"{key}:Certificates:{j} must be a PEM certificate (-----BEGIN CERTIFICATE-----).");
                }
            }

            for (var j = 0; j < client.Secrets.Count; j++)
            {
                if (string.IsNullOrEmpty(client.Secrets[j]))
                {
                    errors.Add($"{key}:Secrets:{j} must not be empty.");
                }
            }

            if (client.ObjectId is { Length: > 0 } objectId && !Guid.TryParse(objectId, out _))
            {
                errors.Add($"{key}:ObjectId must be a GUID, as a Graph object id is.");
            }

            for (var j = 0; j < client.Owners.Count; j++)
            {
                if (string.IsNullOrWhiteSpace(client.Owners[j]))
                {
                    errors.Add($"{key}:Owners:{j} must be a client id.");
                }
            }

            for (var j = 0; j < client.Scopes.Count; j++)
            {
                // OAuth separates scopes with spaces, so one containing whitespace could never be requested.
                var scope = client.Scopes[j];
                if (string.IsNullOrEmpty(scope) || scope.Any(char.IsWhiteSpace))
                {
                    errors.Add($"{key}:Scopes:{j} must be a non-empty scope without whitespace.");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsPemCertificate(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            return false;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
