namespace TokenBroker.Lifecycle.Rotation;

/// <summary>What operators see of a connection's rotation (the row, never a secret).</summary>
/// <param name="State">The last step completed: planned, secret_added, secret_stored, key_added, probed, promoted, done.</param>
/// <param name="RotationId">The rotation's id (also in the new secret's display name and the Key Vault tag).</param>
/// <param name="Reason"><c>due</c> or <c>operator</c>.</param>
/// <param name="StartedOn">When it was planned.</param>
/// <param name="StateEnteredOn">When the current state was entered.</param>
/// <param name="NextAttemptOn">When a failing step is tried again, if it failed.</param>
/// <param name="Attempts">Failures of the current step in a row.</param>
/// <param name="LastError">The last failure's stable code, if the current step failed.</param>
/// <param name="OldKeyId">The old credential's Graph keyId, when known.</param>
/// <param name="NewKeyId">The new credential's Graph keyId, once added.</param>
/// <param name="OldVaultVersion">The old Key Vault version.</param>
/// <param name="NewVaultVersion">The new Key Vault version, once stored.</param>
/// <param name="PromotedOn">When every instance was told to switch.</param>
/// <param name="CompletedOn">When the old credential was retired.</param>
/// <param name="OldThumbprint">A certificate rotation: the SHA-1 thumbprint of the version being replaced.</param>
/// <param name="NewThumbprint">A certificate rotation: the SHA-1 thumbprint of Key Vault's new version.</param>
internal sealed record RotationStatus(
    string State,
    string RotationId,
    string Reason,
    DateTimeOffset StartedOn,
    DateTimeOffset StateEnteredOn,
    DateTimeOffset? NextAttemptOn,
    int Attempts,
    string? LastError,
    Guid? OldKeyId,
    Guid? NewKeyId,
    string? OldVaultVersion,
    string? NewVaultVersion,
    DateTimeOffset? PromotedOn,
    DateTimeOffset? CompletedOn,
    string? OldThumbprint = null,
    string? NewThumbprint = null)
{
    public static RotationStatus From(RotationRecord record) => new(
        StateName(record.State),
        record.RotationId,
        record.Reason,
        record.StartedOn,
        record.StateEnteredOn,
        record.NextAttemptOn,
        record.Attempts,
        record.LastError,
        record.OldKeyId,
        record.NewKeyId,
        record.OldVaultVersion,
        record.NewVaultVersion,
        record.PromotedOn,
        record.CompletedOn,
        record.OldThumbprint,
        record.NewThumbprint);

    public static string StateName(RotationState state) => state switch
    {
        RotationState.Planned => "planned",
        RotationState.SecretAdded => "secret_added",
        RotationState.SecretStored => "secret_stored",
        RotationState.KeyAdded => "key_added",
        RotationState.Probed => "probed",
        RotationState.Promoted => "promoted",
        _ => "done",
    };
}
