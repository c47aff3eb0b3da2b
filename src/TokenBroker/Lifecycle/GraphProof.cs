using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenBroker.Lifecycle;

/// <summary>
/// The proof of possession Graph's addKey and removeKey require: a JWT signed with the private key of one of the
/// application's current certificates, with <c>aud</c> <see cref="Audience"/>, <c>iss</c> the application's object id,
/// and <c>exp</c> at most ten minutes after <c>nbf</c>
/// (<see href="https://learn.microsoft.com/graph/api/application-addkey">application: addKey</see>).
/// </summary>
internal sealed class GraphProof(TimeProvider time)
{
    /// <summary>The audience Graph requires.</summary>
    public const string Audience = "00000002-0000-0000-c000-000000000000";

    /// <summary>Graph accepts a proof whose <c>exp</c> is at most <c>nbf</c> + 10 minutes.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>A proof for the application <paramref name="objectId"/>, signed with <paramref name="signingCertificate"/>.</summary>
    public string Create(string objectId, X509Certificate2 signingCertificate)
    {
        ArgumentException.ThrowIfNullOrEmpty(objectId);
        ArgumentNullException.ThrowIfNull(signingCertificate);
        if (!signingCertificate.HasPrivateKey)
        {
            throw new ArgumentException("The certificate that proves possession needs its private key.", nameof(signingCertificate));
        }

        // Whole seconds, so exp - nbf is exactly the lifetime once both are NumericDates.
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds()).UtcDateTime;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Audience = Audience,
            Issuer = objectId,
            NotBefore = now,
            Expires = now + Lifetime,

            // X509SigningCredentials names the certificate in the header (kid and x5t: its SHA-1 thumbprint).
            SigningCredentials = new X509SigningCredentials(signingCertificate, SecurityAlgorithms.RsaSha256),
        });
    }
}
