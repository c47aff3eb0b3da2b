using TokenBroker.Credentials;

namespace TokenBroker.Federation;

/// <summary>
/// A token of the broker's own managed identity, presented as the client assertion of a connection that trusts it
/// through a federated identity credential. Deliberately not a record, so the token never reaches a log.
/// </summary>
internal sealed class FederatedAssertion : ClientCredential
{
    /// <summary>What tokens obtained this way record as their credential version: there is no version to rotate.</summary>
    public const string FederatedVersion = "federated";

    public FederatedAssertion(string value)
        : base(FederatedVersion)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        Value = value;
    }

    /// <summary>The managed identity's token: a JWT whose audience is the federation audience.</summary>
    public string Value { get; }

    public override string ToString() => "federated managed identity assertion";
}
