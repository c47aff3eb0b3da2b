namespace TokenBroker.Secrets;

/// <summary>
/// A client secret and the version it came from. Deliberately not a record: a record's generated
/// <c>ToString</c> would print the value into any log or exception that formats it.
/// </summary>
public sealed class ClientSecret
{
    /// <summary>Creates a secret.</summary>
    public ClientSecret(string value, string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        Value = value;
        Version = version ?? string.Empty;
    }

    /// <summary>The secret itself.</summary>
    public string Value { get; }

    /// <summary>The version (Key Vault's version id, or a digest for local sources).</summary>
    public string Version { get; }

    /// <inheritdoc />
    public override string ToString() => $"secret version '{Version}'";
}
