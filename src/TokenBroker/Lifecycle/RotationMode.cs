namespace TokenBroker.Lifecycle;

/// <summary>Who rotates a connection's credential.</summary>
internal enum RotationMode
{
    /// <summary>Ops do, by hand; the broker follows the new Key Vault version. The default.</summary>
    Manual,

    /// <summary>The broker does: it creates the new credential at the authorization server, stores it and retires the old one.</summary>
    Automatic,
}
