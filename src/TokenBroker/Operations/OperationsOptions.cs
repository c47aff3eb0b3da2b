namespace TokenBroker.Operations;

/// <summary>The operations endpoints, bound from <c>TokenBroker:Operations</c>.</summary>
internal sealed class OperationsOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:Operations";

    /// <summary>
    /// The secret (Key Vault, or local configuration) holding the admin key, sent as <c>x-tokenbroker-admin-key</c>.
    /// Callers holding the admin app role need no key. When the secret does not exist, only the role admits.
    /// </summary>
    public string AdminKeySecretName { get; set; } = "broker-admin-key";

    /// <summary>How often each instance looks for evictions made on other instances.</summary>
    public TimeSpan EvictionPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
