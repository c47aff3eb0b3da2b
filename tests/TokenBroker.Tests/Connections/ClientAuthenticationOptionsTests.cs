using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Connections;

public sealed class ClientAuthenticationOptionsTests
{
    private const string Key = "TokenBroker:Connections:payments";

    private static IReadOnlyList<string> Failures(Dictionary<string, string?> settings, IHostEnvironment? environment = null) =>
        Failures<TokenBrokerOptions>(settings, environment);

    private static IReadOnlyList<string> Failures<TOptions>(Dictionary<string, string?> settings, IHostEnvironment? environment = null)
        where TOptions : class
    {
        using var harness = new CoreHarness(settings, environment);
        return [.. Assert.Throws<OptionsValidationException>(() => harness.Services.GetRequiredService<IOptions<TOptions>>().Value).Failures];
    }

    private static Connection Valid(Dictionary<string, string?> settings)
    {
        using var harness = new CoreHarness(settings);
        Assert.True(harness.Services.GetRequiredService<ConnectionRegistry>().TryGet("payments", out var connection));
        return connection;
    }

    [Fact]
    public void Private_key_jwt_needs_a_certificate_name_and_a_supported_algorithm()
    {
        var failures = Failures(new()
        {
            [$"{Key}:AuthMethod"] = "private_key_jwt",
            [$"{Key}:SigningAlgorithm"] = "ES256",
        });

        Assert.Contains($"{Key}:CertificateName is required.", failures);
        Assert.Contains($"{Key}:SigningAlgorithm 'ES256' is not supported; use one of: RS256, PS256.", failures);
    }

    [Fact]
    public void Private_key_jwt_defaults_to_RS256_and_the_token_endpoint_audience_and_needs_no_secret()
    {
        var connection = Valid(new()
        {
            [$"{Key}:AuthMethod"] = "private_key_jwt",
            [$"{Key}:CertificateName"] = "payments-cert",
            [$"{Key}:SecretName"] = null,
        });

        Assert.Equal(ClientAuthMethod.PrivateKeyJwt, connection.AuthMethod);
        var credential = Assert.IsType<CertificateCredential>(connection.Credential);
        Assert.Equal("payments-cert", credential.CertificateName);
        Assert.Equal("RS256", credential.SigningAlgorithm);
        Assert.Null(credential.AssertionAudience);
        Assert.Equal(VaultObject.Certificate("payments-cert"), credential.VaultObject); // no secret: the certificate is what is stored
    }

    [Fact]
    public void An_assertion_audience_must_be_an_issuer_url()
    {
        var failures = Failures(new()
        {
            [$"{Key}:AuthMethod"] = "private_key_jwt",
            [$"{Key}:CertificateName"] = "payments-cert",
            [$"{Key}:AssertionAudience"] = "http://login.example.test/?tenant=1",
        });

        Assert.Contains(failures, f => f.StartsWith($"{Key}:AssertionAudience must be the authorization server's issuer identifier", StringComparison.Ordinal));
    }

    [Fact]
    public void Managed_identity_federation_needs_no_secret_and_defaults_to_the_token_exchange_audience()
    {
        var connection = Valid(new()
        {
            [$"{Key}:AuthMethod"] = "managed_identity_federation",
            [$"{Key}:SecretName"] = null,
        });

        Assert.Equal(ClientAuthMethod.ManagedIdentityFederation, connection.AuthMethod);
        Assert.Equal("api://AzureADTokenExchange", Assert.IsType<FederatedCredential>(connection.Credential).Audience);
    }

    [Theory]
    [InlineData("api://AzureADTokenExchange/.default")]
    [InlineData("not a uri")]
    [InlineData("api://AzureADTokenExchange?x=1")]
    public void A_federation_audience_must_be_a_plain_uri(string audience)
    {
        var failures = Failures(new()
        {
            [$"{Key}:AuthMethod"] = "managed_identity_federation",
            [$"{Key}:FederationAudience"] = audience,
        });

        Assert.Contains(failures, f => f.StartsWith($"{Key}:FederationAudience must be an absolute URI", StringComparison.Ordinal));
    }

    [Fact]
    public void The_secret_methods_still_need_a_secret_name()
    {
        var failures = Failures(new() { [$"{Key}:SecretName"] = null });

        Assert.Contains($"{Key}:SecretName is required.", failures);
    }

    [Fact]
    public void Settings_of_another_method_are_refused_so_nobody_believes_they_are_used()
    {
        var failures = Failures(new()
        {
            [$"{Key}:CertificateName"] = "payments-cert",
            [$"{Key}:SigningAlgorithm"] = "PS256",
            [$"{Key}:AssertionAudience"] = "https://login.example.test/",
            [$"{Key}:FederationAudience"] = "api://AzureADTokenExchange",
        });

        Assert.Contains($"{Key}:CertificateName applies only to AuthMethod private_key_jwt; this connection uses client_secret_basic.", failures);
        Assert.Contains($"{Key}:SigningAlgorithm applies only to AuthMethod private_key_jwt; this connection uses client_secret_basic.", failures);
        Assert.Contains($"{Key}:AssertionAudience applies only to AuthMethod private_key_jwt; this connection uses client_secret_basic.", failures);
        Assert.Contains($"{Key}:FederationAudience applies only to AuthMethod managed_identity_federation; this connection uses client_secret_basic.", failures);
    }

    [Fact]
    public void Local_certificates_are_refused_outside_development()
    {
        var failures = Failures<CredentialSourceOptions>(
            new()
            {
                ["TokenBroker:KeyVaultUri"] = "https://vault.vault.azure.net/",
                ["TokenBroker:Certificates:payments-cert:Path"] = "payments.pfx",
            },
            TestEnvironment.Production);

        Assert.Contains(failures, f => f.StartsWith("TokenBroker:Certificates is for local runs only", StringComparison.Ordinal));
    }

    [Fact]
    public void A_local_certificate_needs_a_path()
    {
        var failures = Failures<CredentialSourceOptions>(new() { ["TokenBroker:Certificates:payments-cert:Password"] = "p" });

        Assert.Contains(failures, f => f.StartsWith("TokenBroker:Certificates:payments-cert:Path is required", StringComparison.Ordinal));
    }
}
