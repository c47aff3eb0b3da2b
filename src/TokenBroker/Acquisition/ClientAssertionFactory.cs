using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenBroker.Certificates;
using TokenBroker.Connections;
using TokenBroker.Credentials;

namespace TokenBroker.Acquisition;

/// <summary>
/// Signs <c>private_key_jwt</c> client assertions (RFC 7523 §3): iss and sub are the client id, a fresh jti every time,
/// and a lifetime of five minutes from the broker's clock. By default aud is the token endpoint and typ is <c>JWT</c>,
/// which Entra ID requires; a certificate credential with an <see cref="CertificateCredential.AssertionAudience"/> follows
/// draft-ietf-oauth-rfc7523bis instead (aud is the issuer, typ <c>client-authentication+jwt</c>), which OpenIddict 7
/// requires. The header names the certificate by <c>x5t#S256</c> and, through IdentityModel, by <c>x5t</c> and
/// <c>kid</c>, which older Entra ID and AD FS look for.
/// </summary>
internal sealed class ClientAssertionFactory(TimeProvider time)
{
    /// <summary>How long an assertion is valid: long enough for clock skew and retries, short enough to be worthless if captured.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>The SHA-256 certificate thumbprint header (RFC 7515 §4.1.8).</summary>
    public const string Sha256ThumbprintHeader = "x5t#S256";

    /// <summary>The type Entra ID documents, and that servers predating rfc7523bis accept.</summary>
    public const string JwtType = "JWT";

    /// <summary>The explicit type of draft-ietf-oauth-rfc7523bis, which keeps an assertion from passing for another JWT.</summary>
    public const string ClientAuthenticationType = "client-authentication+jwt";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string Create(Connection connection, CertificateCredential credential, ClientCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(certificate);
        var now = time.GetUtcNow().UtcDateTime;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = connection.ClientId,
            Audience = credential.AssertionAudience ?? connection.TokenEndpoint.AbsoluteUri,
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [JwtRegisteredClaimNames.Sub] = connection.ClientId,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("D"),
            },
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            TokenType = credential.AssertionAudience is null ? JwtType : ClientAuthenticationType,
            AdditionalHeaderClaims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [Sha256ThumbprintHeader] = certificate.Sha256Thumbprint,
            },
            SigningCredentials = new SigningCredentials(certificate.SigningKey, credential.SigningAlgorithm),
        });
    }
}
