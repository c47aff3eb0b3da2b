namespace TokenBroker.Operations;

/// <summary>The answer to "may this caller use the operations endpoints?".</summary>
internal enum AdminCheck
{
    /// <summary>It holds the admin app role or presented the admin key (or runs in Development).</summary>
    Admitted,

    /// <summary>It holds neither.</summary>
    Refused,

    /// <summary>It presented a key, and the admin key could not be read to compare: ask again later, do not refuse.</summary>
    KeyUnavailable,
}
