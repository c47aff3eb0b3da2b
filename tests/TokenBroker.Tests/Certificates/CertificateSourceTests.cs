using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;
using TokenBroker.Certificates;
using TokenBroker.Credentials;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Certificates;

public sealed class CertificateSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tokenbroker-certificates-").FullName;
    private readonly X509Certificate2 _certificate = TestCertificates.Create("payments-local");

    public void Dispose()
    {
        _certificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static ConfigurationCertificateSource Local(LocalCertificateOptions local)
    {
        var options = new CredentialSourceOptions();
        options.Certificates["payments-cert"] = local;
        return new ConfigurationCertificateSource(Options.Create(options));
    }

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private string Write(string name, string content) => Write(name, System.Text.Encoding.ASCII.GetBytes(content));

    [Fact]
    public async Task A_password_protected_pfx_file_is_loaded_with_its_private_key()
    {
        var path = Write("payments.pfx", _certificate.Export(X509ContentType.Pkcs12, "pfx-password"));

        var loaded = (ClientCertificate)await Local(new() { Path = path, Password = "pfx-password" }).GetLatestAsync("payments-cert", CancellationToken.None);

        Assert.True(loaded.Certificate.HasPrivateKey);
        Assert.Equal(_certificate.Thumbprint, loaded.Certificate.Thumbprint);
        Assert.Matches("^local-[0-9a-f]{12}$", loaded.Version);
    }

    [Fact]
    public async Task A_pem_file_with_certificate_and_key_or_a_separate_key_file_is_loaded()
    {
        using var key = _certificate.GetRSAPrivateKey()!;
        var combined = Write("combined.pem", TestCertificates.Pem(_certificate));
        var certificateOnly = Write("certificate.pem", _certificate.ExportCertificatePem());
        var keyOnly = Write("key.pem", key.ExportPkcs8PrivateKeyPem());

        var fromCombined = (ClientCertificate)await Local(new() { Path = combined }).GetLatestAsync("payments-cert", CancellationToken.None);
        var fromPair = (ClientCertificate)await Local(new() { Path = certificateOnly, KeyPath = keyOnly }).GetLatestAsync("payments-cert", CancellationToken.None);

        Assert.True(fromCombined.Certificate.HasPrivateKey);
        Assert.True(fromPair.Certificate.HasPrivateKey);
        Assert.Equal(fromCombined.Version, fromPair.Version);
    }

    [Fact]
    public async Task Overwriting_the_file_is_a_rotation_and_the_certificate_before_it_becomes_a_previous_version()
    {
        using var next = TestCertificates.Create("payments-local-next");
        var path = Write("payments.pfx", _certificate.Export(X509ContentType.Pkcs12));
        var source = Local(new() { Path = path });
        var first = await source.GetLatestAsync("payments-cert", CancellationToken.None);

        File.WriteAllBytes(path, next.Export(X509ContentType.Pkcs12));
        var second = await source.GetLatestAsync("payments-cert", CancellationToken.None);
        var previous = await source.GetPreviousVersionsAsync("payments-cert", second.Version, CancellationToken.None);

        Assert.NotEqual(first.Version, second.Version);
        Assert.Equal([first.Version], previous.Select(p => p.Version));
    }

    [Fact]
    public async Task A_certificate_without_its_private_key_or_a_missing_entry_is_unavailable_and_named()
    {
        var publicOnly = Write("public.pem", _certificate.ExportCertificatePem());

        var noKey = await Assert.ThrowsAsync<ClientCredentialUnavailableException>(() => Local(new() { Path = publicOnly }).GetLatestAsync("payments-cert", CancellationToken.None).AsTask());
        var missing = await Assert.ThrowsAsync<ClientCredentialUnavailableException>(() => Local(new() { Path = publicOnly }).GetLatestAsync("other-cert", CancellationToken.None).AsTask());

        Assert.StartsWith("Certificate 'payments-cert' is unavailable", noKey.Message, StringComparison.Ordinal);
        Assert.Contains("TokenBroker:Certificates:other-cert:Path", missing.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Key_vault_certificates_are_read_through_their_secret_as_pkcs12_or_pem(bool pem)
    {
        var vault = new CertificateVaultMock("payments-cert");
        var version = vault.Add(_certificate, pem);

        var loaded = (ClientCertificate)await new KeyVaultCertificateSource(vault.Certificates.Object, vault.Secrets.Object, TimeProvider.System)
            .GetLatestAsync("payments-cert", CancellationToken.None);

        Assert.Equal(version, loaded.Version);
        Assert.True(loaded.Certificate.HasPrivateKey);
        Assert.Equal(_certificate.Thumbprint, loaded.Certificate.Thumbprint);
    }

    [Fact]
    public async Task Previous_versions_are_the_enabled_ones_newest_first()
    {
        using var second = TestCertificates.Create("payments-2");
        using var third = TestCertificates.Create("payments-3");
        var vault = new CertificateVaultMock("payments-cert");
        var v1 = vault.Add(_certificate);
        var v2 = vault.Add(second);
        var v3 = vault.Add(third);
        vault.Disable(v1);

        var previous = await new KeyVaultCertificateSource(vault.Certificates.Object, vault.Secrets.Object, TimeProvider.System)
            .GetPreviousVersionsAsync("payments-cert", v3, CancellationToken.None);

        Assert.Equal([v2], previous.Select(p => p.Version));
    }

    [Fact]
    public async Task A_disabled_latest_version_is_not_used()
    {
        var vault = new CertificateVaultMock("payments-cert");
        vault.Disable(vault.Add(_certificate));

        var error = await Assert.ThrowsAsync<ClientCredentialUnavailableException>(() =>
            new KeyVaultCertificateSource(vault.Certificates.Object, vault.Secrets.Object, TimeProvider.System).GetLatestAsync("payments-cert", CancellationToken.None).AsTask());

        Assert.Contains("disabled", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_a_private_key_jwt_connection_signs_with_the_local_certificate()
    {
        var path = Write("payments.pfx", _certificate.Export(X509ContentType.Pkcs12));
        using var harness = new CoreHarness(new Dictionary<string, string?>
        {
            ["TokenBroker:Connections:payments:AuthMethod"] = "private_key_jwt",
            ["TokenBroker:Connections:payments:CertificateName"] = "payments-cert",
            ["TokenBroker:Certificates:payments-cert:Path"] = path,
        });

        var result = await harness.Broker.GetTokenAsync("payments", null, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.StartsWith("local-", result.Token.SecretVersion, StringComparison.Ordinal);
        Assert.Contains("client_assertion", Assert.Single(harness.Endpoint.Requests).Form.Keys);
        Assert.NotNull(harness.Services.GetRequiredService<CredentialCache>());
    }
}
