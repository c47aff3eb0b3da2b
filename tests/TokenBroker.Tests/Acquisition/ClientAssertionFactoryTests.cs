using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenBroker.Acquisition;
using TokenBroker.Certificates;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Acquisition;

public sealed class ClientAssertionFactoryTests : IDisposable
{
    private static readonly Uri Endpoint = new("https://login.example.test/tenant/oauth2/v2.0/token");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly ClientCertificate _certificate = new(TestCertificates.Create("assertion-signer"), "v7");

    public void Dispose() => _certificate.Certificate.Dispose();

    private static Connection PrivateKeyJwt(string algorithm = "RS256", string? assertionAudience = null) => new(
        "payments",
        Endpoint,
        "payments-client",
        ScopeSet.Empty,
        ScopeSet.Empty,
        new CertificateCredential("payments-cert", algorithm, assertionAudience));

    private static string Create(ClientAssertionFactory factory, Connection connection, ClientCertificate certificate) =>
        factory.Create(connection, (CertificateCredential)connection.Credential, certificate);

    private async Task<JsonWebToken> ValidatedAsync(string assertion, string audience)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            ValidIssuer = "payments-client",
            ValidAudience = audience,
            IssuerSigningKey = new X509SecurityKey(TestCertificates.PublicPart(_certificate.Certificate)),
            ValidateLifetime = false, // checked against the fake clock below
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }

    [Fact]
    public async Task An_assertion_names_the_client_the_token_endpoint_and_the_certificate_and_lives_five_minutes()
    {
        var assertion = Create(new ClientAssertionFactory(_time), PrivateKeyJwt(), _certificate);

        var token = await ValidatedAsync(assertion, Endpoint.AbsoluteUri);
        Assert.Equal("RS256", token.Alg);
        Assert.Equal("JWT", token.Typ);
        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(_certificate.Certificate.RawData)), token.GetHeaderValue<string>("x5t#S256"));
        Assert.Equal("payments-client", token.Issuer);
        Assert.Equal("payments-client", token.Subject);
        Assert.Equal([Endpoint.AbsoluteUri], token.Audiences);
        Assert.True(Guid.TryParse(token.Id, out _));
        Assert.Equal(_time.GetUtcNow().UtcDateTime, token.IssuedAt);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, token.ValidFrom);
        Assert.Equal(_time.GetUtcNow().UtcDateTime.AddMinutes(5), token.ValidTo);
    }

    [Fact]
    public async Task PS256_is_used_when_configured_and_verifies_with_the_certificate()
    {
        var assertion = Create(new ClientAssertionFactory(_time), PrivateKeyJwt("PS256"), _certificate);

        Assert.Equal("PS256", (await ValidatedAsync(assertion, Endpoint.AbsoluteUri)).Alg);
    }

    [Fact]
    public void Every_assertion_has_its_own_jti()
    {
        var factory = new ClientAssertionFactory(_time);

        var ids = Enumerable.Range(0, 50).Select(_ => new JsonWebToken(Create(factory, PrivateKeyJwt(), _certificate)).Id).ToHashSet();

        Assert.Equal(50, ids.Count);
    }

    [Fact]
    public async Task With_an_assertion_audience_the_assertion_follows_rfc7523bis()
    {
        var assertion = Create(new ClientAssertionFactory(_time), PrivateKeyJwt(assertionAudience: "https://login.example.test/tenant/v2.0"), _certificate);

        var token = await ValidatedAsync(assertion, "https://login.example.test/tenant/v2.0");
        Assert.Equal("client-authentication+jwt", token.Typ);
        Assert.Equal(["https://login.example.test/tenant/v2.0"], token.Audiences);
    }

    [Fact]
    public void A_certificate_prints_its_version_and_thumbprint_and_no_key()
    {
        var text = _certificate.ToString();

        Assert.Contains("v7", text, StringComparison.Ordinal);
        Assert.Contains(_certificate.Sha256Thumbprint, text, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", text, StringComparison.Ordinal);
    }
}
