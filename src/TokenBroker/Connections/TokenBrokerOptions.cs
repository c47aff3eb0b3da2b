namespace TokenBroker.Connections;

/// <summary>
/// The broker's connections and acquisition bound, from the <c>TokenBroker</c> configuration section. Where credentials come
/// from (Key Vault, local secrets and certificates, how long they are kept) is <c>CredentialSourceOptions</c>, bound from the
/// same section.
/// </summary>
internal sealed class TokenBrokerOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker";

    /// <summary>
    /// The connections by configuration key: the connection's name, or a setting-safe key whose
    /// <see cref="ConnectionOptions.Name"/> carries the name. Keys and names are case-insensitive.
    /// </summary>
    public Dictionary<string, ConnectionOptions> Connections { get; init; } = new(StringComparer.OrdinalIgnoreCase);

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
