namespace TokenBroker.Client;

/// <summary>Where the broker is and how to sign in to it, bound from the <c>TokenBrokerClient</c> configuration section.</summary>
public sealed class TokenBrokerClientOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBrokerClient";

    /// <summary>The name of the <see cref="HttpClient"/> that calls the broker, for adding handlers to it.</summary>
    public const string HttpClientName = "TokenBroker.Client";

    /// <summary>
    /// The broker's base address, such as <c>https://tokenbroker.azurewebsites.net/</c>; the client appends
    /// <c>api/token/{connection}</c>. Required; <c>https</c>, or <c>http</c> on a loopback address for local development.
    /// </summary>
    public Uri? BrokerUri { get; set; }

    /// <summary>
    /// The scope of this caller's own Entra ID token for the broker, such as <c>api://tokenbroker/.default</c>, sent as
    /// <c>Authorization: Bearer</c> on every broker call. When unset, no <c>Authorization</c> header is sent (local development).
    /// </summary>
    public string? BrokerScope { get; set; }

    /// <summary>The broker's function key, sent as <c>x-functions-key</c>. Leave unset where the broker needs none.</summary>
    public string? FunctionKey { get; set; }

    /// <summary>
    /// The client id of the user-assigned managed identity that signs in to the broker. When unset, the system-assigned identity.
    /// Ignored when the container has a <see cref="Azure.Core.TokenCredential"/> registration of its own.
    /// </summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// How long before its expiry a cached token is fetched anew. The margin actually used is the smaller of this and a tenth
    /// of the token's lifetime when it arrived, so short-lived tokens are still used for most of their life. Defaults to 5 minutes.
    /// </summary>
    public TimeSpan SafetyMargin { get; set; } = TimeSpan.FromMinutes(5);
}
