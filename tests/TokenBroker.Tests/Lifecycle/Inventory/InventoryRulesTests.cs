using Microsoft.Extensions.Time.Testing;
using TokenBroker.Credentials;
using TokenBroker.Lifecycle.Inventory;

namespace TokenBroker.Tests.Lifecycle.Inventory;

public sealed class InventoryRulesTests
{
    private static readonly Guid CurrentKey = Guid.Parse("0f7c4a52-6f7e-4d0e-9a0b-3c1e2d4f5a61");
    private static readonly Guid OtherKey = Guid.Parse("a3e1b2c4-1d2e-4f3a-8b9c-0d1e2f3a4b5c");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero));
    private readonly InventoryOptions _options = new();

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public void Exactly_thirty_days_left_is_within_the_warning_window_and_a_second_more_is_not()
    {
        Assert.Equal([CredentialFlags.ExpiringWarning], VaultOnly(Now.AddDays(30)).Flags);
        Assert.Empty(VaultOnly(Now.AddDays(30).AddSeconds(1)).Flags);
    }

    [Fact]
    public void Exactly_seven_days_left_is_critical_only_and_a_second_more_is_a_warning()
    {
        Assert.Equal([CredentialFlags.ExpiringCritical], VaultOnly(Now.AddDays(7)).Flags);
        Assert.Equal([CredentialFlags.ExpiringWarning], VaultOnly(Now.AddDays(7).AddSeconds(1)).Flags);
    }

    [Fact]
    public void Expired_a_second_ago_is_expired_only_and_so_is_expiring_this_instant()
    {
        Assert.Equal([CredentialFlags.Expired], VaultOnly(Now.AddSeconds(-1)).Flags);
        Assert.Equal([CredentialFlags.Expired], VaultOnly(Now).Flags);
        Assert.Equal([CredentialFlags.ExpiringCritical], VaultOnly(Now.AddSeconds(1)).Flags);
    }

    [Fact]
    public void The_clock_moving_past_a_boundary_moves_the_flag()
    {
        var expires = Now.AddDays(8);
        var before = VaultOnly(expires).Flags;
        _time.Advance(TimeSpan.FromDays(1));
        var after = VaultOnly(expires).Flags;
        _time.Advance(TimeSpan.FromDays(7));
        var expired = VaultOnly(expires).Flags;

        Assert.Equal([CredentialFlags.ExpiringWarning], before);
        Assert.Equal([CredentialFlags.ExpiringCritical], after);
        Assert.Equal([CredentialFlags.Expired], expired);
    }

    [Fact]
    public void A_secret_with_no_vault_expiry_is_flagged_and_expires_when_graph_says()
    {
        var version = Secret("v1", expires: null, CurrentKey);
        var graphEnd = Now.AddDays(100);

        var (expiresOn, flags) = Evaluate(version, [version], [GraphSecret(CurrentKey, graphEnd)]);

        Assert.Equal([CredentialFlags.NoVaultExpiry], flags);
        Assert.Equal(graphEnd, expiresOn);
    }

    [Fact]
    public void Dates_a_minute_apart_agree_and_a_minute_and_a_second_apart_disagree()
    {
        var vaultEnd = Now.AddDays(100);
        var version = Secret("v1", vaultEnd, CurrentKey);

        var agree = Evaluate(version, [version], [GraphSecret(CurrentKey, vaultEnd.AddMinutes(1))]);
        var disagree = Evaluate(version, [version], [GraphSecret(CurrentKey, vaultEnd.AddMinutes(-1).AddSeconds(-1))]);

        Assert.Empty(agree.Flags);
        Assert.Equal([CredentialFlags.DatesDisagree], disagree.Flags);
    }

    [Fact]
    public void The_earlier_of_the_vault_expiry_and_the_graph_end_counts()
    {
        var version = Secret("v1", Now.AddDays(60), CurrentKey);

        var (expiresOn, flags) = Evaluate(version, [version], [GraphSecret(CurrentKey, Now.AddDays(5))]);

        Assert.Equal(Now.AddDays(5), expiresOn);
        Assert.Equal([CredentialFlags.ExpiringCritical, CredentialFlags.DatesDisagree], flags);
    }

    [Fact]
    public void A_graph_secret_no_vault_version_holds_is_an_orphan_at_the_authorization_server()
    {
        var version = Secret("v1", Now.AddDays(100), CurrentKey);

        var (_, flags) = Evaluate(version, [version], [GraphSecret(CurrentKey, Now.AddDays(100)), GraphSecret(OtherKey, Now.AddDays(200))]);

        Assert.Equal([CredentialFlags.OrphanAtAuthorizationServer], flags);
    }

    [Fact]
    public void A_tagged_vault_version_whose_graph_secret_is_gone_is_an_orphan_in_the_vault()
    {
        var current = Secret("v2", Now.AddDays(100), CurrentKey);
        var older = Secret("v1", Now.AddDays(50), OtherKey);

        var (_, flags) = Evaluate(current, [current, older], [GraphSecret(CurrentKey, Now.AddDays(100))]);

        Assert.Equal([CredentialFlags.OrphanInVault], flags);
    }

    [Fact]
    public void An_untagged_secret_written_by_hand_accounts_for_one_unmatched_graph_secret_but_not_two()
    {
        var handWritten = Secret("v1", Now.AddDays(100), keyId: null);

        var one = Evaluate(handWritten, [handWritten], [GraphSecret(CurrentKey, Now.AddDays(100))]);
        var two = Evaluate(handWritten, [handWritten], [GraphSecret(CurrentKey, Now.AddDays(100)), GraphSecret(OtherKey, Now.AddDays(100))]);

        Assert.Empty(one.Flags);
        Assert.Equal([CredentialFlags.OrphanAtAuthorizationServer], two.Flags);
    }

    [Fact]
    public void Certificates_correlate_by_thumbprint_and_ignore_the_applications_secrets()
    {
        var certificate = new VaultVersionFacts("c1", Now.AddDays(-1), Now.AddDays(-1), Now.AddDays(300), true, null, null, "AB12CD");
        var directory = new List<DirectoryCredentialFacts>
        {
            new(CurrentKey, VaultObject.CertificateKind, "cert", Now.AddDays(-1), Now.AddDays(300), "ab12cd"),
            GraphSecret(OtherKey, Now.AddDays(3)),
        };

        var (expiresOn, flags) = InventoryRules.Evaluate(VaultObject.CertificateKind, certificate, [certificate], directory, null, null, Now, _options);

        Assert.Empty(flags);
        Assert.Equal(Now.AddDays(300), expiresOn);
    }

    [Fact]
    public void Unreadable_sources_are_flagged_and_an_unreadable_vault_claims_no_orphans()
    {
        var (expiresOn, flags) = InventoryRules.Evaluate(VaultObject.SecretKind, null, [], [GraphSecret(OtherKey, Now.AddDays(3))], "unavailable", null, Now, _options);
        var directoryDown = VaultOnly(Now.AddDays(100), directoryProblem: "forbidden");

        Assert.Null(expiresOn);
        Assert.Equal([CredentialFlags.VaultUnreadable], flags);
        Assert.Equal([CredentialFlags.DirectoryUnreadable], directoryDown.Flags);
    }

    [Fact]
    public void Every_flag_is_a_distinct_snake_case_code()
    {
        Assert.Equal(CredentialFlags.All.Count, CredentialFlags.All.Distinct(StringComparer.Ordinal).Count());
        Assert.All(CredentialFlags.All, flag => Assert.Matches("^[a-z]+(_[a-z]+)*$", flag));
    }

    private (DateTimeOffset? ExpiresOn, IReadOnlyList<string> Flags) VaultOnly(DateTimeOffset? expires, string? directoryProblem = null)
    {
        var version = Secret("v1", expires, keyId: null);
        return InventoryRules.Evaluate(VaultObject.SecretKind, version, [version], null, null, directoryProblem, Now, _options);
    }

    private (DateTimeOffset? ExpiresOn, IReadOnlyList<string> Flags) Evaluate(VaultVersionFacts current, IReadOnlyList<VaultVersionFacts> versions, IReadOnlyList<DirectoryCredentialFacts> directory) =>
        InventoryRules.Evaluate(VaultObject.SecretKind, current, versions, directory, null, null, Now, _options);

    private VaultVersionFacts Secret(string version, DateTimeOffset? expires, Guid? keyId) =>
        new(version, Now.AddDays(-10), null, expires, true, keyId?.ToString(), null, null);

    private DirectoryCredentialFacts GraphSecret(Guid keyId, DateTimeOffset end) =>
        new(keyId, VaultObject.SecretKind, "secret", Now.AddDays(-10), end, null);
}
