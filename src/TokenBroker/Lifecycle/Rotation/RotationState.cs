namespace TokenBroker.Lifecycle.Rotation;

/// <summary>The steps of a client secret rotation, in order. The row names the last step completed.</summary>
internal enum RotationState
{
    /// <summary>The row exists with the old credential's facts; nothing was created yet.</summary>
    Planned,

    /// <summary>addPassword created the new secret (its keyId is recorded; its value only in the runner's memory).</summary>
    SecretAdded,

    /// <summary>The new value is a Key Vault version, tagged with its Graph keyId and the rotation id.</summary>
    SecretStored,

    /// <summary>The token endpoint accepted the new secret.</summary>
    Probed,

    /// <summary>Every instance was told to use the new version; the grace period runs from here.</summary>
    Promoted,

    /// <summary>The old secret is removed at the authorization server and its Key Vault version disabled.</summary>
    Done,
}
