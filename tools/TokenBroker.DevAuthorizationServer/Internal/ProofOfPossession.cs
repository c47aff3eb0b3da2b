using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>
/// Checks the <c>proof</c> of addKey and removeKey as Graph documents it: a JWT signed with the private key of one of
/// the application's existing valid certificates, with <c>aud</c> <see cref="Audience"/>, <c>iss</c> the application's
/// object id, and <c>nbf</c> and <c>exp</c>, at most <see cref="MaxLifetime"/> apart.
/// </summary>
internal static class ProofOfPossession
{
    /// <summary>The audience Graph requires: the app id of the (Azure AD) Graph service principal.</summary>
    public const string Audience = "00000002-0000-0000-c000-000000000000";

    /// <summary>Graph: "exp - Expiration time should be nbf + 10 mins."</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>Null when the proof holds; otherwise why not (never the proof itself).</summary>
    public static async Task<string?> ValidateAsync(string? proof, GraphApplication application, IReadOnlyList<KeyEntry> keys, DateTimeOffset now)
    {
        var valid = keys.Where(key => key.IsValidAt(now)).Select(key => (SecurityKey)new X509SecurityKey(key.Certificate)).ToList();
        if (valid.Count == 0)
        {
            // Graph: applications without an existing valid certificate cannot use addKey (or removeKey).
            return "The application has no valid certificate to prove possession with.";
        }

        if (string.IsNullOrEmpty(proof))
        {
            return "The proof of possession is missing.";
        }

        var result = await Handler.ValidateTokenAsync(proof, new TokenValidationParameters
        {
            ValidAudience = Audience,
            ValidIssuer = application.ObjectId,
            IssuerSigningKeys = valid,
            TryAllIssuerSigningKeys = true,

            // Checked below against this server's clock, with Graph's rule on the lifetime.
            ValidateLifetime = false,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token)
        {
            return $"The proof of possession is invalid ({result.Exception?.GetType().Name ?? "unreadable"}).";
        }

        if (!token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out var nbf) || !token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp))
        {
            return "The proof of possession must carry nbf and exp.";
        }

        var notBefore = DateTimeOffset.FromUnixTimeSeconds(nbf);
        var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expires <= notBefore || expires - notBefore > MaxLifetime)
        {
            return "The proof of possession must expire after nbf and within 10 minutes of it.";
        }

        return now + ClockSkew < notBefore || now - ClockSkew >= expires
            ? "The proof of possession is not valid now."
            : null;
    }
}
