using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenBroker.Lifecycle;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Lifecycle;

public sealed class GraphProofTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 0, 30, 0, 250, TimeSpan.Zero));

    [Fact]
    public async Task A_proof_carries_what_Graph_requires_and_verifies_with_the_certificates_public_key()
    {
        // addKey: aud "00000002-0000-0000-c000-000000000000", iss "the id of the application", nbf, and exp "nbf + 10
        // mins", signed with the private key of one of the application's certificates
        // (https://learn.microsoft.com/graph/api/application-addkey).
        using var certificate = TestCertificates.Create("current");
        using var publicOnly = TestCertificates.PublicPart(certificate);

        var proof = new GraphProof(_time).Create("9a8b7c6d-1111-2222-3333-444455556666", certificate);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(proof, new TokenValidationParameters
        {
            ValidAudience = "00000002-0000-0000-c000-000000000000",
            ValidIssuer = "9a8b7c6d-1111-2222-3333-444455556666",
            IssuerSigningKey = new X509SecurityKey(publicOnly),
            ValidateLifetime = false,
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), token.GetPayloadValue<long>("nbf"));
        Assert.Equal(600, token.GetPayloadValue<long>("exp") - token.GetPayloadValue<long>("nbf"));
        Assert.Equal(certificate.Thumbprint, token.Kid);
    }

    [Fact]
    public void A_certificate_without_its_private_key_cannot_prove_possession()
    {
        using var certificate = TestCertificates.Create("current");
        using var publicOnly = TestCertificates.PublicPart(certificate);

        Assert.Throws<ArgumentException>(() => new GraphProof(_time).Create("9a8b7c6d-1111-2222-3333-444455556666", publicOnly));
    }
}
