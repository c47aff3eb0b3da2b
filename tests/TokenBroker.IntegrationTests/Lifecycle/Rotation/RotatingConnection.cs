namespace TokenBroker.IntegrationTests.Lifecycle.Rotation;

/// <summary>The credential a rotating connection holds.</summary>
internal enum RotatingKind
{
    /// <summary>An Entra ID client secret in a Key Vault secret (<c>client_secret_post</c>).</summary>
    Secret,

    /// <summary>A certificate in a Key Vault certificate (<c>private_key_jwt</c>).</summary>
    Certificate,
}

/// <summary>One connection of the load test: its name, its own app registration and its credential's Key Vault name.</summary>
internal sealed record RotatingConnection(string Name, RotatingKind Kind)
{
    /// <summary>The connection's app registration, owned by the broker's identity.</summary>
    public string AppId => Name + "-app";

    /// <summary>The Key Vault secret or certificate that holds the credential.</summary>
    public string VaultName => Name + (Kind == RotatingKind.Secret ? "-secret" : "-cert");

    public static RotatingConnection Secret(string name) => new(name, RotatingKind.Secret);

    public static RotatingConnection Certificate(string name) => new(name, RotatingKind.Certificate);
}
