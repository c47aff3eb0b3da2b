using System.Security.Cryptography;
using System.Text;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Caching;

public sealed class TokenProtectorTests : IDisposable
{
    private static readonly TokenCacheKey Row = TokenCacheKey.Create("payments", new Uri("https://x.test/token"), "c", ClientAuthMethod.ClientSecretBasic, ScopeSet.Parse("a"));
    private static readonly TokenCacheKey OtherRow = TokenCacheKey.Create("payments", new Uri("https://x.test/token"), "c", ClientAuthMethod.ClientSecretBasic, ScopeSet.Parse("b"));

    private readonly VaultMock _vault = new("payments-secret");
    private readonly CoreHarness _harness;

    public TokenProtectorTests()
    {
        _vault.Add("client-secret");
        _harness = new CoreHarness(new Dictionary<string, string?> { ["TokenBroker:KeyVaultUri"] = "https://vault.vault.azure.net/" }, null, _vault.Client.Object);
    }

    private TokenProtector Protector => _harness.Services.GetRequiredService<TokenProtector>();

    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static CachedToken Token(string value, string scope = "a") => new(value, "Bearer", scope, Now, Now.AddHours(1), "s1");

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_token_is_sealed_with_AES_GCM_and_opens_only_for_its_own_row()
    {
        var sealedToken = (await Protector.SealAsync(Row, Token("eyJ.secret-token.sig"), CancellationToken.None))!;

        Assert.Equal("k1", sealedToken.KeyId);
        Assert.Equal(12, sealedToken.Nonce.Length);
        Assert.Equal(16, sealedToken.Tag.Length);
        Assert.DoesNotContain("secret-token", Encoding.UTF8.GetString(sealedToken.Ciphertext), StringComparison.Ordinal);
        Assert.Equal("eyJ.secret-token.sig", (await Protector.OpenAsync(Row, sealedToken, CancellationToken.None))!.AccessToken);
        Assert.Null(await Protector.OpenAsync(OtherRow, sealedToken, CancellationToken.None));
    }

    [Fact]
    public async Task Two_seals_of_one_token_differ()
    {
        var first = (await Protector.SealAsync(Row, Token("same"), CancellationToken.None))!;
        var second = (await Protector.SealAsync(Row, Token("same"), CancellationToken.None))!;

        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
    }

    [Fact]
    public async Task A_tampered_ciphertext_does_not_open()
    {
        var sealedToken = (await Protector.SealAsync(Row, Token("token"), CancellationToken.None))!;
        sealedToken.Ciphertext[0] ^= 1;

        Assert.Null(await Protector.OpenAsync(Row, sealedToken, CancellationToken.None));
    }

    [Fact]
    public async Task After_a_key_rotation_entries_sealed_with_the_previous_enabled_version_still_open()
    {
        var keyVault = new VaultMock("token-cache-key-rotating");
        var v1 = keyVault.Add(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        using var harness = new CoreHarness(
            new Dictionary<string, string?>
            {
                ["TokenBroker:KeyVaultUri"] = "https://vault.vault.azure.net/",
                ["TokenBroker:TokenCache:EncryptionKeySecretName"] = "token-cache-key-rotating",
            },
            null,
            keyVault.Client.Object);
        var protector = harness.Services.GetRequiredService<TokenProtector>();
        var old = (await protector.SealAsync(Row, Token("sealed-with-v1"), CancellationToken.None))!;

        keyVault.Add(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        await harness.Services.GetRequiredService<CredentialCache>().ReloadAsync(VaultObject.Secret("token-cache-key-rotating"), CancellationToken.None);
        var fresh = (await protector.SealAsync(Row, Token("sealed-with-v2"), CancellationToken.None))!;

        Assert.Equal(v1, old.KeyId);
        Assert.Equal("v2", fresh.KeyId);
        Assert.Equal("sealed-with-v1", (await protector.OpenAsync(Row, old, CancellationToken.None))!.AccessToken);
        Assert.Equal("sealed-with-v2", (await protector.OpenAsync(Row, fresh, CancellationToken.None))!.AccessToken);

        keyVault.Disable(v1);
        using var restarted = new CoreHarness(
            new Dictionary<string, string?>
            {
                ["TokenBroker:KeyVaultUri"] = "https://vault.vault.azure.net/",
                ["TokenBroker:TokenCache:EncryptionKeySecretName"] = "token-cache-key-rotating",
            },
            null,
            keyVault.Client.Object);
        Assert.Null(await restarted.Services.GetRequiredService<TokenProtector>().OpenAsync(Row, old, CancellationToken.None));
        Assert.NotNull(typeof(SecretClient));
    }

    [Fact]
    public async Task The_expiry_scope_and_type_served_are_the_sealed_ones_not_the_clear_text_copies()
    {
        var token = new CachedToken("sealed-facts", "Bearer", "api.read", Now, Now.AddMinutes(30), "s1");

        var opened = (await Protector.OpenAsync(Row, (await Protector.SealAsync(Row, token, CancellationToken.None))!, CancellationToken.None))!;

        Assert.Equal(token.ExpiresOn, opened.ExpiresOn);
        Assert.Equal(token.AcquiredOn, opened.AcquiredOn);
        Assert.Equal("api.read", opened.Scope);
        Assert.Equal("Bearer", opened.TokenType);
        Assert.Equal("s1", opened.SecretVersion);
    }

    [Fact]
    public async Task A_ciphertext_relabelled_with_another_key_id_does_not_open()
    {
        var keyValue = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var keyVault = RotatingVault(out var harness, keyValue);
        using (harness)
        {
            var protector = harness.Services.GetRequiredService<TokenProtector>();
            var sealedWithV1 = (await protector.SealAsync(Row, Token("t"), CancellationToken.None))!;
            keyVault.Add(keyValue);
            await harness.Services.GetRequiredService<CredentialCache>().ReloadAsync(VaultObject.Secret(keyVault.SecretName), CancellationToken.None);

            // Same key bytes under another version: only the associated data (which names the key id) tells them apart.
            Assert.Null(await protector.OpenAsync(Row, sealedWithV1 with { KeyId = "v2" }, CancellationToken.None));
            Assert.NotNull(await protector.OpenAsync(Row, sealedWithV1, CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_disabled_key_version_stops_opening_entries_once_the_secret_cache_duration_has_passed()
    {
        var keyVault = RotatingVault(out var harness);
        using (harness)
        {
            var protector = harness.Services.GetRequiredService<TokenProtector>();
            var old = (await protector.SealAsync(Row, Token("sealed-with-v1"), CancellationToken.None))!;
            keyVault.Add(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            await harness.Services.GetRequiredService<CredentialCache>().ReloadAsync(VaultObject.Secret(keyVault.SecretName), CancellationToken.None);
            Assert.NotNull(await protector.OpenAsync(Row, old, CancellationToken.None));

            keyVault.Disable(old.KeyId);
            harness.Time.Advance(TimeSpan.FromMinutes(30));

            Assert.Null(await protector.OpenAsync(Row, old, CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_disabled_key_version_stops_opening_entries_as_soon_as_a_Key_Vault_event_names_the_key()
    {
        var keyVault = RotatingVault(out var harness);
        using (harness)
        {
            var protector = harness.Services.GetRequiredService<TokenProtector>();
            var secrets = harness.Services.GetRequiredService<CredentialCache>();
            var old = (await protector.SealAsync(Row, Token("sealed-with-v1"), CancellationToken.None))!;
            keyVault.Add(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            await secrets.ReloadAsync(VaultObject.Secret(keyVault.SecretName), CancellationToken.None);
            Assert.NotNull(await protector.OpenAsync(Row, old, CancellationToken.None));

            keyVault.Disable(old.KeyId);
            secrets.Invalidate(keyVault.SecretName);

            Assert.Null(await protector.OpenAsync(Row, old, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Unknown_key_ids_are_remembered_as_missing_so_reads_do_not_list_key_versions_each_time()
    {
        var keyVault = RotatingVault(out var harness);
        using (harness)
        {
            var protector = harness.Services.GetRequiredService<TokenProtector>();
            var sealedToken = (await protector.SealAsync(Row, Token("t"), CancellationToken.None))!;

            for (var i = 0; i < 20; i++)
            {
                Assert.Null(await protector.OpenAsync(Row, sealedToken with { KeyId = $"forged-{i % 3}" }, CancellationToken.None));
            }

            keyVault.Client.Verify(c => c.GetPropertiesOfSecretVersionsAsync(keyVault.SecretName, It.IsAny<CancellationToken>()), Times.Once);

            harness.Time.Advance(TimeSpan.FromMinutes(30));
            Assert.Null(await protector.OpenAsync(Row, sealedToken with { KeyId = "forged-0" }, CancellationToken.None));
            keyVault.Client.Verify(c => c.GetPropertiesOfSecretVersionsAsync(keyVault.SecretName, It.IsAny<CancellationToken>()), Times.Exactly(2));
        }
    }

    [Fact]
    public async Task A_weak_cache_key_seals_nothing()
    {
        // Start-up judges the key beside the rest of start-up, so a request can come before the verdict.
        RotatingVault(out var harness, "changeme-changeme-changeme");
        using (harness)
        {
            Assert.Null(await harness.Services.GetRequiredService<TokenProtector>().SealAsync(Row, Token("token"), CancellationToken.None));
        }
    }

    private static VaultMock RotatingVault(out CoreHarness harness, string? firstKey = null)
    {
        var keyVault = new VaultMock("token-cache-key-rotating");
        keyVault.Add(firstKey ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        harness = new CoreHarness(
            new Dictionary<string, string?>
            {
                ["TokenBroker:KeyVaultUri"] = "https://vault.vault.azure.net/",
                ["TokenBroker:TokenCache:EncryptionKeySecretName"] = "token-cache-key-rotating",
            },
            null,
            keyVault.Client.Object);
        return keyVault;
    }
}
