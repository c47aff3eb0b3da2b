using TokenBroker.Credentials;

namespace TokenBroker.Secrets;

/// <summary>
/// A client secret and the version it came from. Deliberately not a record: a record's generated
/// <c>ToString</c> would print the value into any log or exception that formats it.
/// </summary>
internal sealed class ClientSecret : ClientCredential
{
    /// <summary>Creates a secret.</summary>
    public ClientSecret(string value, string version)
        : base(version)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        Value = value;
    }

    /// <summary>The secret itself.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => $"secret version '{Version}'";
}
