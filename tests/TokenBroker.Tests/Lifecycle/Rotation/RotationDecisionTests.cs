using Microsoft.Extensions.Time.Testing;
using TokenBroker.Lifecycle;
using TokenBroker.Lifecycle.Rotation;

namespace TokenBroker.Tests.Lifecycle.Rotation;

/// <summary>The decisions of the rotation state machine that depend on time only: when a rotation is due, how a failing step backs off, what a row holds.</summary>
public sealed class RotationDecisionTests
{
    private static readonly CredentialLifecycle Automatic = CredentialLifecycle.Default with { Rotation = RotationMode.Automatic, Directory = CredentialDirectory.EntraId };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 3, 30, 0, TimeSpan.Zero));

    [Fact]
    public void A_credential_expiring_within_renew_before_is_due_and_one_expiring_later_is_not()
    {
        var now = _time.GetUtcNow();

        Assert.True(CredentialRotation.IsDue(now.AddDays(29), Automatic, now));
        Assert.True(CredentialRotation.IsDue(now.AddDays(30), Automatic, now));
        Assert.True(CredentialRotation.IsDue(now.AddDays(-1), Automatic, now));
        Assert.False(CredentialRotation.IsDue(now.AddDays(30).AddSeconds(1), Automatic, now));
    }

    [Fact]
    public void A_credential_with_no_known_expiry_is_never_due()
    {
        Assert.False(CredentialRotation.IsDue(null, Automatic, _time.GetUtcNow()));
    }

    [Fact]
    public void A_failing_step_stays_in_its_state_and_backs_off_doubling_up_to_the_limit()
    {
        var row = Planned().Advanced(RotationState.SecretStored, _time.GetUtcNow());
        var first = TimeSpan.FromSeconds(15);
        var max = TimeSpan.FromMinutes(1);

        var once = row.Failed("probe_refused", _time.GetUtcNow(), first, max);
        var twice = once.Failed("probe_refused", _time.GetUtcNow(), first, max);
        var thrice = twice.Failed("probe_refused", _time.GetUtcNow(), first, max);
        var many = Enumerable.Range(0, 40).Aggregate(thrice, (r, _) => r.Failed("probe_refused", _time.GetUtcNow(), first, max));
        var succeeded = many.Advanced(RotationState.Probed, _time.GetUtcNow());

        Assert.Equal(RotationState.SecretStored, many.State);
        Assert.Equal(_time.GetUtcNow() + first, once.NextAttemptOn);
        Assert.Equal(_time.GetUtcNow() + (2 * first), twice.NextAttemptOn);
        Assert.Equal(_time.GetUtcNow() + max, thrice.NextAttemptOn);
        Assert.Equal(_time.GetUtcNow() + max, many.NextAttemptOn);
        Assert.Equal(43, many.Attempts);
        Assert.Equal("probe_refused", many.LastError);
        Assert.Null(succeeded.LastError);
        Assert.Null(succeeded.NextAttemptOn);
        Assert.Equal(0, succeeded.Attempts);
    }

    [Fact]
    public void A_row_survives_the_table_with_every_fact_and_the_display_name_names_the_rotation()
    {
        var now = _time.GetUtcNow();
        var row = Planned() with
        {
            State = RotationState.Promoted,
            AppObjectId = "obj",
            OldKeyId = Guid.NewGuid(),
            NewKeyId = Guid.NewGuid(),
            OldVaultVersion = "v1",
            NewVaultVersion = "v2",
            NewEndsOn = now.AddDays(180),
            PromotedOn = now,
            Attempts = 2,
            LastError = "graph_forbidden",
            NextAttemptOn = now.AddMinutes(1),
        };

        var read = RotationRecord.FromEntity(row.ToEntity());

        Assert.Equal(row, read);
        Assert.Equal("tokenbroker:payments:20261129T033000000Z", row.DisplayName);
        Assert.Equal(RotationStore.Partition, row.ToEntity().PartitionKey);
    }

    [Fact]
    public void A_row_with_an_unknown_state_is_not_read_as_a_rotation()
    {
        var entity = Planned().ToEntity();
        entity["State"] = "Exploded";

        Assert.Null(RotationRecord.FromEntity(entity));
    }

    [Fact]
    public void Settings_out_of_range_fail_at_start_up_naming_the_full_key()
    {
        var result = new RotationOptionsValidator().Validate(null, new RotationOptions { RetryInterval = TimeSpan.Zero, MaxRunTime = TimeSpan.FromHours(1) });

        Assert.True(result.Failed);
        Assert.Contains("TokenBroker:Lifecycle:Rotation:RetryInterval", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("TokenBroker:Lifecycle:Rotation:MaxRunTime", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new RotationOptionsValidator().Validate(null, new RotationOptions()).Succeeded);
    }

    private RotationRecord Planned() => new()
    {
        Connection = "payments",
        RotationId = CredentialRotation.NewRotationId(_time.GetUtcNow()),
        State = RotationState.Planned,
        StartedOn = _time.GetUtcNow(),
        StateEnteredOn = _time.GetUtcNow(),
    };
}
