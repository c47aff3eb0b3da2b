namespace TokenBroker.Credentials;

/// <summary>
/// A credential's identity in Key Vault (or in its local stand-in): the kind of object and its name. What a Key Vault
/// event names, what the versioned cache is keyed by, and what an inventory of the broker's credentials lists.
/// </summary>
/// <param name="Kind">What the object is, in logs and errors: <see cref="SecretKind"/> or <see cref="CertificateKind"/>.</param>
/// <param name="Name">Its name as configured. Key Vault names are case-insensitive: compare with <see cref="IsNamed"/>.</param>
internal readonly record struct VaultObject(string Kind, string Name)
{
    public const string SecretKind = "secret";
    public const string CertificateKind = "certificate";

    public static VaultObject Secret(string name) => new(SecretKind, name);

    public static VaultObject Certificate(string name) => new(CertificateKind, name);

    /// <summary>True when <paramref name="name"/> (from an event, say) names this object, whatever its kind.</summary>
    public bool IsNamed(string name) => string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => $"{Kind} {Name}";
}
