namespace TokenBroker.Lifecycle;

/// <summary>
/// A client secret addPassword just created, with its value: Graph returns it this once. Deliberately not a record: a
/// record's generated <c>ToString</c> would print the value into any log or exception that formats it.
/// </summary>
internal sealed class AddedSecret(RegisteredSecret credential, string value)
{
    /// <summary>The credential as Graph lists it from now on.</summary>
    public RegisteredSecret Credential { get; } = credential;

    /// <summary>The secret. Store it (Key Vault) and forget it; never log it.</summary>
    public string Value { get; } = value;

    public override string ToString() => $"client secret {Credential.KeyId}";
}
