using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using TokenBroker.Acquisition;
using TokenBroker.Certificates;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Credentials;

public sealed class CertificateCredentialTests : IDisposable
{
    private readonly CoreHarness _harness = new();
    private readonly ClientCertificate _certificate = new(TestCertificates.Create("payments-signer"), "v3");

    public void Dispose()
    {
        _certificate.Certificate.Dispose();
        _harness.Dispose();
    }

    private CredentialServices Services => _harness.Services.GetRequiredService<CredentialServices>();

    private Connection Payments => _harness.Services.GetRequiredService<ConnectionRegistry>().TryGet("payments", out var connection) ? connection : throw new InvalidOperationException();

    [Fact]
    public void Settings_are_trimmed_and_the_algorithm_normalized_once()
    {
        var credential = CertificateCredential.Create(new ConnectionOptions
        {
            CertificateName = " payments-cert ",
            SigningAlgorithm = "ps256",
            AssertionAudience = " https://login.example.test/tenant/v2.0 ",
        });

        Assert.Equal(ClientAuthMethod.PrivateKeyJwt, credential.Method);
        Assert.Equal("payments-cert", credential.CertificateName);
        Assert.Equal("PS256", credential.SigningAlgorithm);
        Assert.Equal("https://login.example.test/tenant/v2.0", credential.AssertionAudience);
        Assert.Equal("RS256", CertificateCredential.Create(new ConnectionOptions { CertificateName = "c" }).SigningAlgorithm);
    }

    [Fact]
    public void A_certificate_is_a_rotatable_key_vault_certificate_also_reached_through_its_secret_name()
    {
        var credential = new CertificateCredential("payments-cert", "RS256", null);

        Assert.Equal("certificate", credential.Kind);
        Assert.Equal("payments-cert", credential.Name);
        Assert.True(credential.CanRotate);
        Assert.Equal(VaultObject.Certificate("payments-cert"), credential.VaultObject);

        // A certificate's key is its secret of the same name, so a secret event names it too.
        Assert.True(credential.IsStoredAs("Payments-Cert"));
    }

    [Fact]
    public async Task The_request_carries_a_signed_assertion_in_the_body_and_each_retry_signs_a_new_one()
    {
        var credential = new CertificateCredential("payments-cert", "RS256", null);
        using var request = new ClientCredentialsTokenRequest();
        var presented = new List<string>();

        credential.Apply(request, Payments, _certificate, Services, presented);
        var retried = await request.ClientAssertionFactory!();

        Assert.Equal(ClientCredentialStyle.PostBody, request.ClientCredentialStyle);
        Assert.Null(request.ClientSecret);
        Assert.Equal(OidcConstants.ClientAssertionTypes.JwtBearer, request.ClientAssertion.Type);
        Assert.True(request.Options.TryGetValue(ClientAssertionRetryHandler.Attempts, out _));
        var first = new JsonWebToken(request.ClientAssertion.Value);
        var second = new JsonWebToken(retried.Value);
        Assert.Equal("payments-client", first.Issuer);
        Assert.Equal(_certificate.Sha256Thumbprint, first.GetHeaderValue<string>("x5t#S256"));
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal([request.ClientAssertion.Value, retried.Value], presented);
    }

    [Fact]
    public void Its_options_need_a_certificate_name_a_supported_algorithm_and_an_issuer_as_audience()
    {
        var errors = new List<string>();

        CertificateCredential.Validate("TokenBroker:Connections:payments", new ConnectionOptions { SigningAlgorithm = "ES256", AssertionAudience = "ftp://issuer" }, errors);

        Assert.Equal(3, errors.Count);
        Assert.Contains("TokenBroker:Connections:payments:CertificateName is required.", errors);
        Assert.Contains("TokenBroker:Connections:payments:SigningAlgorithm 'ES256' is not supported; use one of: RS256, PS256.", errors);
        Assert.Contains(errors, e => e.StartsWith("TokenBroker:Connections:payments:AssertionAudience must be the authorization server's issuer identifier", StringComparison.Ordinal));
    }
}
