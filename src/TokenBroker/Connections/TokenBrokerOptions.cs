using TokenBroker.Certificates;

namespace TokenBroker.Connections;

/// <summary>The broker's root options, bound from the <c>TokenBroker</c> configuration section.</summary>
internal sealed class TokenBrokerOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker";

    /// <summary>
    /// The connections by configuration key: the connection's name, or a setting-safe key whose
    /// <see cref="ConnectionOptions.Name"/> carries the name. Keys and names are case-insensitive.
    /// </summary>
    public Dictionary<string, ConnectionOptions> Connections { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When set, client secrets are read from this Key Vault with the app's managed identity.</summary>
    public Uri? KeyVaultUri { get; set; }

    /// <summary>
    /// Development only: a JSON file of secret name to value, re-read when it changes, so a rotation can be rehearsed locally.
    /// </summary>
    public string? LocalSecretsFile { get; set; }

    /// <summary>
    /// Development only: certificates for <c>private_key_jwt</c> connections from files instead of Key Vault, by certificate name.
    /// </summary>
    public Dictionary<string, LocalCertificateOptions> Certificates { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a secret or certificate read from Key Vault is kept in memory before it is read again.</summary>
    public TimeSpan SecretCacheDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Upper bound on how long a caller waits for a token that has to be fetched.</summary>
    public TimeSpan AcquisitionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The name callers use for the connection configured under <paramref name="key"/>.</summary>
    internal static string EffectiveName(string key, ConnectionOptions connection) =>
        string.IsNullOrWhiteSpace(connection.Name) ? key : connection.Name.Trim();

    /// <summary>
    /// Finds a connection by its name or its configuration key, as other settings (access rules) refer to it: their
    /// keys are app setting names too, so they may only be able to spell the setting-safe key.
    /// </summary>
    internal bool TryFindConnection(string nameOrKey, out string name, out ConnectionOptions connection)
    {
        foreach (var (key, candidate) in Connections)
        {
            var effective = EffectiveName(key, candidate);
            if (string.Equals(effective, nameOrKey, StringComparison.OrdinalIgnoreCase)
                || string.Equals(key, nameOrKey, StringComparison.OrdinalIgnoreCase))
            {
                (name, connection) = (effective, candidate);
                return true;
            }
        }

        (name, connection) = (string.Empty, null!);
        return false;
    }
}
