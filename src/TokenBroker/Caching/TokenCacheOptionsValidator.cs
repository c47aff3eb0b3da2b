using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

using TokenBroker.Connections;

namespace TokenBroker.Caching;

/// <summary>Checks <c>TokenBroker:TokenCache</c> at start-up and names the key of every problem.</summary>
internal sealed class TokenCacheOptionsValidator(IHostEnvironment environment) : IValidateOptions<TokenCacheOptions>
{
    private const string Prefix = TokenCacheOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, TokenCacheOptions options)
    {
        var errors = new List<string>();

        if (options.ServiceUri is { } uri && (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps) && !environment.IsDevelopment())
        {
            errors.Add($"{Prefix}:ServiceUri must be an absolute https URL such as https://account.table.core.windows.net/.");
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            if (options.ServiceUri is not null)
            {
                errors.Add($"{Prefix}: set ConnectionString or ServiceUri, not both.");
            }

            if (!IsConnectionString(options.ConnectionString))
            {
                errors.Add($"{Prefix}:ConnectionString is not a valid storage connection string.");
            }
            else if (!IsUsableByTables(options.ConnectionString))
            {
                errors.Add($"{Prefix}:ConnectionString is not usable by Table Storage (check AccountName, a base64 AccountKey and the endpoints).");
            }
        }
        else if (options.ServiceUri is null && !environment.IsDevelopment())
        {
            errors.Add($"{Prefix}:ServiceUri is required outside the Development environment (Development defaults to Azurite).");
        }

        if (!IsTableName(options.TableName))
        {
            errors.Add($"{Prefix}:TableName must be 3 to 63 letters or digits, starting with a letter.");
        }

        if (string.IsNullOrWhiteSpace(options.EncryptionKeySecretName) || !UriRules.IsVaultObjectName(options.EncryptionKeySecretName))
        {
            errors.Add(UriRules.NotAVaultObjectName($"{Prefix}:EncryptionKeySecretName", "secret"));
        }

        if (options.OperationTimeout < TimeSpan.FromMilliseconds(100) || options.OperationTimeout > TimeSpan.FromSeconds(30))
        {
            errors.Add($"{Prefix}:OperationTimeout must be between 00:00:00.1 and 00:00:30.");
        }

        if (options.SafetyMargin < TimeSpan.Zero || options.SafetyMargin > TimeSpan.FromHours(1))
        {
            errors.Add($"{Prefix}:SafetyMargin must be between 00:00:00 and 01:00:00.");
        }

        if (options.SafetyMarginRatio is < 0 or >= 0.5 || double.IsNaN(options.SafetyMarginRatio))
        {
            errors.Add($"{Prefix}:SafetyMarginRatio must be at least 0 and below 0.5.");
        }

        if (options.MaxTokenLifetime < TimeSpan.FromMinutes(1) || options.MaxTokenLifetime > TimeSpan.FromDays(7))
        {
            errors.Add($"{Prefix}:MaxTokenLifetime must be between 00:01:00 and 7.00:00:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsConnectionString(string value)
    {
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = value };
            return builder.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    // The Tables client parses the rest (a non-base64 AccountKey is a FormatException when the client is first built):
    // better here, naming the key, than as a stack trace from the first request.
    private static bool IsUsableByTables(string value)
    {
        try
        {
            _ = new Azure.Data.Tables.TableServiceClient(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsTableName(string? name) =>
        name is { Length: >= 3 and <= 63 } && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);
}
