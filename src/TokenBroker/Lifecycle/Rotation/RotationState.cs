namespace TokenBroker.Lifecycle.Rotation;

/// <summary>
/// The steps of a rotation. The row names the last step completed. A client secret goes Planned, SecretAdded,
/// SecretStored, Probed, Promoted, Done; a certificate (whose new version Key Vault made) Planned, KeyAdded, Probed,
/// Promoted, Done. Stored by name, so members are only ever added.
/// </summary>
internal enum RotationState
{
    /// <summary>The row exists with the old credential's facts; nothing was created yet.</summary>
    Planned,

    /// <summary>addPassword created the new secret (its keyId is recorded; its value only in the runner's memory).</summary>
    SecretAdded,

    /// <summary>The new value is a Key Vault version, tagged with its Graph keyId and the rotation id.</summary>
    SecretStored,

    /// <summary>The token endpoint accepted the new secret, or an assertion signed by the new certificate.</summary>
    Probed,

    /// <summary>Every instance was told to use the new version; the grace period runs from here.</summary>
    Promoted,

    /// <summary>
    /// The old credential is removed at the authorization server; a secret's old Key Vault version is disabled (a
    /// certificate's stays: the broker has no certificate write right).
    /// </summary>
    Done,

    /// <summary>A certificate: addKey registered Key Vault's new version at the application (its keyId is recorded).</summary>
    KeyAdded,
}
