using Microsoft.Extensions.Time.Testing;
using TokenBroker.Lifecycle;
using TokenBroker.Lifecycle.Rotation;

namespace TokenBroker.Tests.Lifecycle.Rotation;

/// <summary>
/// The decisions of a certificate rotation: when one is due (Key Vault's latest version unknown to the application, an
/// older one known), what it records, and which version signs in each state.
/// </summary>
public sealed class CertificateRotationDecisionTests
{
    private static readonly Guid OldKeyId = Guid.Parse("7f1c2a9e-0b3d-4e55-9a61-3c2d1e0f4b7a");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_latest_version_the_application_lacks_with_an_older_one_it_holds_is_due_and_names_both()
    {
        var (v1, v2) = (Version("v1", "AA11", days: -200), Version("v2", "BB22", days: 0));

        var facts = CertificateFacts.From(App(Key(OldKeyId, "aa11")), "v2", [v2, v1]);

        Assert.True(facts.IsDue);
        Assert.Equal(v2, facts.Latest);
        Assert.False(facts.LatestRegistered);
        Assert.Equal(v1, facts.Old);
        Assert.Equal(OldKeyId, facts.OldKeyId);
    }

    [Fact]
    public void A_latest_version_the_application_holds_is_not_due_whatever_its_expiry()
    {
        // Nearing its expiry with no newer Key Vault version: there is nothing to register (the inventory flags the expiry).
        var v1 = Version("v1", "AA11", days: -360);

        var facts = CertificateFacts.From(App(Key(OldKeyId, "AA11")), "v1", [v1]);

        Assert.False(facts.IsDue);
        Assert.True(facts.LatestRegistered);
        Assert.Null(facts.Old);
    }

    [Fact]
    public void A_latest_version_with_no_registered_older_one_is_not_due_since_nothing_can_prove_possession()
    {
        var facts = CertificateFacts.From(App(Key(OldKeyId, "FFFF")), "v2", [Version("v1", "AA11", -10), Version("v2", "BB22", 0)]);

        Assert.False(facts.IsDue);
        Assert.Null(facts.Old);
        var error = Assert.Throws<RotationStepException>(() => CertificateRotation.WithFacts(Planned(), facts));
        Assert.Equal("old_certificate_not_registered", error.Code);
    }

    [Fact]
    public void The_newest_registered_older_version_is_the_old_one_and_a_disabled_latest_is_never_due()
    {
        var versions = new[] { Version("v0", "0000", -400), Version("v1", "AA11", -200), Version("v2", "BB22", 0) };
        var application = App(Key(Guid.NewGuid(), "0000"), Key(OldKeyId, "AA11"));

        var facts = CertificateFacts.From(application, "v2", versions);
        var disabled = CertificateFacts.From(application, latestVersion: null, versions.Take(2));

        Assert.Equal("v1", facts.Old?.Version);
        Assert.Equal(OldKeyId, facts.OldKeyId);
        Assert.False(disabled.IsDue);
        Assert.Null(disabled.Latest);
    }

    [Fact]
    public void A_planned_certificate_row_records_the_application_and_both_versions_with_their_thumbprints()
    {
        var facts = CertificateFacts.From(App(Key(OldKeyId, "AA11")), "v2", [Version("v1", "AA11", -200), Version("v2", "BB22", 0)]);

        var row = CertificateRotation.WithFacts(Planned(), facts);

        Assert.Equal(("app-object-id", "v1", "AA11", OldKeyId), (row.AppObjectId, row.OldVaultVersion, row.OldThumbprint, row.OldKeyId));
        Assert.Equal(("v2", "BB22"), (row.NewVaultVersion, row.NewThumbprint));
        Assert.True(row.IsCertificate);
        Assert.Equal(row, RotationRecord.FromEntity(row.ToEntity()));
    }

    [Theory]
    [InlineData(RotationState.Planned, "v1")]
    [InlineData(RotationState.KeyAdded, "v1")]
    [InlineData(RotationState.Probed, "v1")]
    [InlineData(RotationState.Promoted, "v2")]
    [InlineData(RotationState.Done, "v2")]
    public void The_old_version_signs_until_the_promotion_and_the_new_one_from_then_on(RotationState state, string signing)
    {
        var row = Planned() with { State = state, OldVaultVersion = "v1", NewVaultVersion = "v2", OldThumbprint = "AA11", NewThumbprint = "BB22" };

        Assert.Equal(signing, RotationVersionHold.SigningVersion(row));
    }

    [Fact]
    public void A_secret_rotation_row_holds_no_version()
    {
        var row = Planned() with { State = RotationState.SecretStored, OldVaultVersion = "v1", NewVaultVersion = "v2" };

        Assert.Null(RotationVersionHold.SigningVersion(row));
        Assert.Equal("key_added", RotationStatus.StateName(RotationState.KeyAdded));
    }

    private CertificateVersion Version(string version, string thumbprint, int days) => new(version, thumbprint, _time.GetUtcNow().AddDays(days));

    private static AppRegistration App(params RegisteredKey[] keys) => new("app-id", "app-object-id", [], keys);

    private static RegisteredKey Key(Guid keyId, string thumbprint) => new(keyId, null, thumbprint, null, null);

    private RotationRecord Planned() => new()
    {
        Connection = "signing",
        RotationId = CredentialRotation.NewRotationId(_time.GetUtcNow()),
        State = RotationState.Planned,
        StartedOn = _time.GetUtcNow(),
        StateEnteredOn = _time.GetUtcNow(),
    };
}
