using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using TokenBroker.Certificates;
using TokenBroker.Credentials;
using TokenBroker.IntegrationTests.Infrastructure.Faults;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;
using TokenBroker.Secrets;

namespace TokenBroker.IntegrationTests.Certificates;

/// <summary>
/// What the real <see cref="CertificateClient"/> meets when Key Vault refuses or cannot be reached, turned into a reason
/// that names the certificate and what to do: against the Key Vault-compatible endpoint on loopback.
/// </summary>
public sealed class KeyVaultCertificateSourceTests : IAsyncLifetime
{
    private KeyVaultEndpoint _vault = null!;

    public async Task InitializeAsync() => _vault = await KeyVaultEndpoint.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task A_certificate_the_vault_does_not_have_is_named_as_not_found()
    {
        var error = await Assert.ThrowsAsync<ClientCredentialUnavailableException>(() => Source().GetLatestAsync("payments-cert", CancellationToken.None).AsTask());

        Assert.Equal("payments-cert", error.CredentialName);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vault_that_refuses_the_broker_names_the_role_it_needs()
    {
        await _vault.SetFaultAsync(Fault.Status(403));

        var error = await Assert.ThrowsAsync<ClientCredentialUnavailableException>(() => Source().GetLatestAsync("payments-cert", CancellationToken.None).AsTask());

        Assert.Equal("payments-cert", error.CredentialName);
        Assert.Contains("Key Vault Certificate User", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vault_that_refuses_connections_is_named_as_unreachable()
    {
        await _vault.SetFaultAsync(Fault.Refused);

        var error = await Assert.ThrowsAsync<ClientCredentialUnavailableException>(() => Source().GetLatestAsync("payments-cert", CancellationToken.None).AsTask());

        Assert.Equal("payments-cert", error.CredentialName);
        Assert.Contains("could not be reached", error.Message, StringComparison.Ordinal);
    }

    // The broker's client settings, with short pauses between its attempts so a refused vault costs the suite little.
    private KeyVaultCertificateSource Source()
    {
        var certificates = KeyVaultClientSettings.Apply(new CertificateClientOptions(), _vault.Uri);
        var secrets = KeyVaultClientSettings.Apply(new SecretClientOptions(), _vault.Uri);
        certificates.Retry.Delay = secrets.Retry.Delay = TimeSpan.FromMilliseconds(50);
        return new KeyVaultCertificateSource(_vault.CreateCertificateClient(certificates), _vault.CreateSecretClient(secrets), TimeProvider.System);
    }
}
