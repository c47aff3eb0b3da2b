using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>
/// Authenticates a caller of the Graph-compatible endpoint: a bearer access token this server issued for
/// <see cref="Resource"/> (a client credentials grant with the scope <c>https://graph.microsoft.com/.default</c>, as a
/// managed identity gets one from Entra ID). The caller is the token's <c>sub</c>, the client id.
/// </summary>
internal sealed class GraphCallerAuthenticator(IOptionsMonitor<OpenIddictServerOptions> server, TimeProvider time)
{
    /// <summary>Microsoft Graph's resource, the audience its tokens carry.</summary>
    public const string Resource = "https://graph.microsoft.com";

    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>The caller's client id, or the reason it is not authenticated.</summary>
    public async Task<(string? Caller, string? Failure)> AuthenticateAsync(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "Access token is empty.");
        }

        // No issuer is configured, so OpenIddict names itself after the request's base address.
        var issuer = $"{request.Scheme}://{request.Host}{request.PathBase}/";
        var result = await Handler.ValidateTokenAsync(authorization["Bearer ".Length..].Trim(), new TokenValidationParameters
        {
            ValidIssuers = [issuer, issuer.TrimEnd('/')],
            ValidAudience = Resource,
            IssuerSigningKeys = server.CurrentValue.SigningCredentials.Select(credentials => credentials.Key),
            ValidTypes = ["at+jwt"],

            // Checked below against this server's clock, which tests may move.
            ValidateLifetime = false,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token)
        {
            return (null, "Access token validation failure.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (token.ValidTo <= now)
        {
            return (null, "Lifetime validation failed, the token is expired.");
        }

        return token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var subject) && !string.IsNullOrEmpty(subject)
            ? (subject, null)
            : (null, "Access token has no subject.");
    }
}
