using System.Security.Cryptography;
using System.Text;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Caching;
using TokenBroker.Connections;
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

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_token_is_sealed_with_AES_GCM_and_opens_only_for_its_own_row()
    {
        var sealedToken = (await Protector.SealAsync(Row, "eyJ.secret-token.sig", CancellationToken.None))!;

        Assert.Equal("k1", sealedToken.KeyId);
        Assert.Equal(12, sealedToken.Nonce.Length);
        Assert.Equal(16, sealedToken.Tag.Length);
        Assert.DoesNotContain("secret-token", Encoding.UTF8.GetString(sealedToken.Ciphertext), StringComparison.Ordinal);
        Assert.Equal("eyJ.secret-token.sig", await Protector.OpenAsync(Row, sealedToken, CancellationToken.None));
        Assert.Null(await Protector.OpenAsync(OtherRow, sealedToken, CancellationToken.None));
    }

    [Fact]
    public async Task Two_seals_of_one_token_differ()
    {
        var first = (await Protector.SealAsync(Row, "same", CancellationToken.None))!;
        var second = (await Protector.SealAsync(Row, "same", CancellationToken.None))!;

        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
    }

    [Fact]
    public async Task A_tampered_ciphertext_does_not_open()
    {
        var sealedToken = (await Protector.SealAsync(Row, "token", CancellationToken.None))!;
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
        var old = (await protector.SealAsync(Row, "sealed-with-v1", CancellationToken.None))!;

        keyVault.Add(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        await harness.Services.GetRequiredService<TokenBroker.Secrets.SecretCache>().ReloadAsync("token-cache-key-rotating", CancellationToken.None);
        var fresh = (await protector.SealAsync(Row, "sealed-with-v2", CancellationToken.None))!;

        Assert.Equal(v1, old.KeyId);
        Assert.Equal("v2", fresh.KeyId);
        Assert.Equal("sealed-with-v1", await protector.OpenAsync(Row, old, CancellationToken.None));
        Assert.Equal("sealed-with-v2", await protector.OpenAsync(Row, fresh, CancellationToken.None));

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
}
