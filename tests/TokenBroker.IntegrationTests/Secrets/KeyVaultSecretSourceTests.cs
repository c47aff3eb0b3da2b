using Azure.Security.KeyVault.Secrets;
using TokenBroker.IntegrationTests.Infrastructure.Faults;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;
using TokenBroker.Secrets;

namespace TokenBroker.IntegrationTests.Secrets;

/// <summary>
/// What the real <see cref="SecretClient"/> throws when Key Vault refuses, turned into a reason that names the secret and
/// what to do, never a value: against the Key Vault-compatible endpoint, which answers as Key Vault does.
/// </summary>
public sealed class KeyVaultSecretSourceTests : IAsyncLifetime
{
    private KeyVaultEndpoint _vault = null!;

    public async Task InitializeAsync() => _vault = await KeyVaultEndpoint.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task A_secret_the_vault_does_not_have_is_named_as_not_found()
    {
        var error = await Assert.ThrowsAsync<SecretUnavailableException>(() => Source().GetLatestAsync("payments-secret", CancellationToken.None).AsTask());

        Assert.Equal("payments-secret", error.SecretName);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vault_that_refuses_the_broker_names_the_role_it_needs()
    {
        _vault.SetSecret("payments-secret", "kv-value-4b1d");
        await _vault.SetFaultAsync(Fault.Status(403));

        var error = await Assert.ThrowsAsync<SecretUnavailableException>(() => Source().GetLatestAsync("payments-secret", CancellationToken.None).AsTask());

        Assert.Equal("payments-secret", error.SecretName);
        Assert.Contains("Key Vault Secrets User", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("kv-value-4b1d", error.ToString(), StringComparison.Ordinal);
    }

    private KeyVaultSecretSource Source() => new(_vault.CreateSecretClient(), TimeProvider.System);
}
