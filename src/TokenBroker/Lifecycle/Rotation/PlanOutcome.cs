namespace TokenBroker.Lifecycle.Rotation;

/// <summary>What asking for a rotation now did.</summary>
internal enum PlanOutcome
{
    /// <summary>A rotation was planned; the next refresh run starts it.</summary>
    Planned,

    /// <summary>No connection has that name.</summary>
    NotFound,

    /// <summary>The connection is in manual mode.</summary>
    Manual,

    /// <summary>The connection's credential is not one the broker can rotate (a federated credential, none).</summary>
    NotSupported,

    /// <summary>Rotation cannot run in this broker: no Key Vault is configured (<c>TokenBroker:KeyVaultUri</c>).</summary>
    Unavailable,

    /// <summary>A rotation of the connection is already under way.</summary>
    AlreadyRunning,

    /// <summary>A certificate connection whose Key Vault latest version is registered already: there is nothing to register.</summary>
    NothingToDo,
}
