using Azure;
using Azure.Data.Tables;

namespace TokenBroker.Lifecycle.Rotation;

/// <summary>
/// One connection's rotation as the shared table holds it (partition <see cref="RotationStore.Partition"/>, row = the
/// connection): the state, the rotation id and the facts each step produced. Never a secret value or key material.
/// </summary>
internal sealed record RotationRecord
{
    public required string Connection { get; init; }

    public required string RotationId { get; init; }

    public required RotationState State { get; init; }

    public required DateTimeOffset StartedOn { get; init; }

    /// <summary>When the current state was entered.</summary>
    public required DateTimeOffset StateEnteredOn { get; init; }

    /// <summary>Not before this time is the next step tried (after a failure, the backoff).</summary>
    public DateTimeOffset? NextAttemptOn { get; init; }

    /// <summary>Failures of the current step in a row.</summary>
    public int Attempts { get; init; }

    /// <summary>A stable code for the last failure of the current step, null after a success.</summary>
    public string? LastError { get; init; }

    /// <summary>Who planned it: <c>due</c> (the expiry came within RenewBefore) or <c>operator</c>.</summary>
    public string Reason { get; init; } = "due";

    /// <summary>The application's object id, read at planning.</summary>
    public string? AppObjectId { get; init; }

    /// <summary>The old credential's Graph keyId, when it is known.</summary>
    public Guid? OldKeyId { get; init; }

    public string? OldVaultVersion { get; init; }

    public Guid? NewKeyId { get; init; }

    public DateTimeOffset? NewEndsOn { get; init; }

    public string? NewVaultVersion { get; init; }

    /// <summary>A certificate rotation: the SHA-1 thumbprint (upper-case hex) of the version being replaced.</summary>
    public string? OldThumbprint { get; init; }

    /// <summary>A certificate rotation: the SHA-1 thumbprint (upper-case hex) of Key Vault's new version.</summary>
    public string? NewThumbprint { get; init; }

    /// <summary>Whether this row rotates a certificate (it names the new version's thumbprint from its planning on).</summary>
    public bool IsCertificate => NewThumbprint is not null;

    public DateTimeOffset? PromotedOn { get; init; }

    public DateTimeOffset? CompletedOn { get; init; }

    /// <summary>The row's ETag: every write is conditional on it.</summary>
    public ETag ETag { get; init; }

    public bool IsActive => State != RotationState.Done;

    /// <summary>The display name of the secret or certificate this rotation adds, which recognises it after a crash.</summary>
    public string DisplayName => DisplayNameOf(Connection, RotationId);

    public static string DisplayNameOf(string connection, string rotationId) => $"tokenbroker:{connection}:{rotationId}";

    /// <summary>The row after a step succeeded into <paramref name="state"/>.</summary>
    public RotationRecord Advanced(RotationState state, DateTimeOffset now) =>
        this with { State = state, StateEnteredOn = now, NextAttemptOn = null, Attempts = 0, LastError = null };

    /// <summary>The row after the current step failed with <paramref name="error"/>: it stays, and is tried again after the backoff.</summary>
    public RotationRecord Failed(string error, DateTimeOffset now, TimeSpan first, TimeSpan max)
    {
        var attempts = Attempts + 1;
        var wait = TimeSpan.FromTicks(Math.Min(max.Ticks, first.Ticks * (1L << Math.Min(attempts - 1, 20))));
        return this with { Attempts = attempts, LastError = error, NextAttemptOn = now + wait };
    }

    public TableEntity ToEntity() => new(RotationStore.Partition, Connection)
    {
        [nameof(RotationId)] = RotationId,
        [nameof(State)] = State.ToString(),
        [nameof(StartedOn)] = StartedOn,
        [nameof(StateEnteredOn)] = StateEnteredOn,
        [nameof(NextAttemptOn)] = NextAttemptOn,
        [nameof(Attempts)] = Attempts,
        [nameof(LastError)] = LastError,
        [nameof(Reason)] = Reason,
        [nameof(AppObjectId)] = AppObjectId,
        [nameof(OldKeyId)] = OldKeyId,
        [nameof(OldVaultVersion)] = OldVaultVersion,
        [nameof(NewKeyId)] = NewKeyId,
        [nameof(NewEndsOn)] = NewEndsOn,
        [nameof(NewVaultVersion)] = NewVaultVersion,
        [nameof(OldThumbprint)] = OldThumbprint,
        [nameof(NewThumbprint)] = NewThumbprint,
        [nameof(PromotedOn)] = PromotedOn,
        [nameof(CompletedOn)] = CompletedOn,
    };

    /// <summary>The record a row holds; null when the row is not one (an unknown state, a missing fact).</summary>
    public static RotationRecord? FromEntity(TableEntity entity)
    {
        if (entity.GetString(nameof(RotationId)) is not { Length: > 0 } rotationId
            || !Enum.TryParse<RotationState>(entity.GetString(nameof(State)), ignoreCase: false, out var state)
            || !Enum.IsDefined(state)
            || entity.GetDateTimeOffset(nameof(StartedOn)) is not { } started
            || entity.GetDateTimeOffset(nameof(StateEnteredOn)) is not { } entered)
        {
            return null;
        }

        return new RotationRecord
        {
            Connection = entity.RowKey,
            RotationId = rotationId,
            State = state,
            StartedOn = started,
            StateEnteredOn = entered,
            NextAttemptOn = entity.GetDateTimeOffset(nameof(NextAttemptOn)),
            Attempts = entity.GetInt32(nameof(Attempts)) ?? 0,
            LastError = entity.GetString(nameof(LastError)),
            Reason = entity.GetString(nameof(Reason)) ?? "due",
            AppObjectId = entity.GetString(nameof(AppObjectId)),
            OldKeyId = entity.GetGuid(nameof(OldKeyId)),
            OldVaultVersion = entity.GetString(nameof(OldVaultVersion)),
            NewKeyId = entity.GetGuid(nameof(NewKeyId)),
            NewEndsOn = entity.GetDateTimeOffset(nameof(NewEndsOn)),
            NewVaultVersion = entity.GetString(nameof(NewVaultVersion)),
            OldThumbprint = entity.GetString(nameof(OldThumbprint)),
            NewThumbprint = entity.GetString(nameof(NewThumbprint)),
            PromotedOn = entity.GetDateTimeOffset(nameof(PromotedOn)),
            CompletedOn = entity.GetDateTimeOffset(nameof(CompletedOn)),
            ETag = entity.ETag,
        };
    }
}
