namespace TokenBroker.Lifecycle;

/// <summary>
/// How the broker looks after one connection's credential, bound from <c>TokenBroker:Connections:{key}:Lifecycle</c>.
/// Every setting is optional; <see cref="CredentialLifecycle"/> holds the validated values and their defaults.
/// </summary>
internal sealed class ConnectionLifecycleOptions
{
    /// <summary>
    /// <c>EntraId</c>: the client id is an Entra ID app registration whose credentials the broker reads (and, with automatic
    /// rotation, manages) through Microsoft Graph. <c>None</c>: only the Key Vault side is known. Unset: <c>EntraId</c> when
    /// the token endpoint is on an Entra ID login host, <c>None</c> otherwise.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary><c>Manual</c> (the default: ops rotate) or <c>Automatic</c> (the broker rotates; needs <c>Directory</c> <c>EntraId</c>).</summary>
    public string? Rotation { get; set; }

    /// <summary>How long a credential the broker creates is valid. Default 180 days.</summary>
    public TimeSpan? Lifetime { get; set; }

    /// <summary>How long before the current credential's expiry a rotation starts. Default 30 days.</summary>
    public TimeSpan? RenewBefore { get; set; }

    /// <summary>How long the old credential stays valid at the authorization server after the new one is in use. Default 1 day.</summary>
    public TimeSpan? Grace { get; set; }
}
