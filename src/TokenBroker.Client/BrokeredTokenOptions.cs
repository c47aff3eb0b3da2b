namespace TokenBroker.Client;

/// <summary>What an <see cref="HttpClient"/> set up with <c>AddBrokeredToken</c> asks the broker for.</summary>
public sealed class BrokeredTokenOptions
{
    /// <summary>
    /// Space-separated scopes, a subset of the connection's allowed scopes. Leave unset for the connection's default scopes.
    /// </summary>
    public string? Scope { get; set; }
}
