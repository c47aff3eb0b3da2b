using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>
/// The passthrough half of <c>POST /connect/token</c>. OpenIddict has already authenticated the
/// client and checked the grant type and scopes; this decides what the access token says.
/// </summary>
internal static class TokenEndpoint
{
    public const string Path = "/connect/token";

    private const string Scheme = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public static async Task<IResult> Exchange(HttpContext context, IOptions<DevAuthorizationServerOptions> options, TimeProvider time)
    {
        // After OpenIddict has checked the client, as a remote server spends its time on the way and in its own work.
        if (options.Value.TokenResponseDelay > TimeSpan.Zero)
        {
            await Task.Delay(options.Value.TokenResponseDelay, time, context.RequestAborted);
        }

        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request cannot be retrieved.");

        // OpenIddict only enables the client credentials grant, so it rejects the others before they
        // get here; answer in OAuth terms anyway rather than issue a token for a grant we never meant to.
        if (!request.IsClientCredentialsGrantType())
        {
            return Results.Forbid(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.UnsupportedGrantType,
                }),
                [Scheme]);
        }

        // The client credentials grant requires client authentication, so OpenIddict has checked this id.
        var clientId = request.ClientId
            ?? throw new InvalidOperationException("OpenIddict passed through a token request without a client id.");

        // OpenIddict adds client_id (RFC 9068) from the authenticated client by itself; azp is for
        // resource servers written against Entra ID, whose v2 tokens name the caller there.
        var identity = new ClaimsIdentity(Scheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, clientId);
        identity.SetClaim(Claims.AuthorizedParty, clientId);

        // OpenIddict has checked that each requested scope exists and is permitted for this client.
        var scopes = request.GetScopes();
        identity.SetScopes(scopes);

        // Entra's convention: a scope "api://app/.default" or "api://app/read" is for the resource "api://app", which
        // becomes the token's audience. Callers of the broker obtain their own tokens this way in tests.
        identity.SetResources(scopes
            .Where(scope => scope.Contains("://", StringComparison.Ordinal) && scope.LastIndexOf('/') > scope.IndexOf("://", StringComparison.Ordinal) + 2)
            .Select(scope => scope[..scope.LastIndexOf('/')])
            .Distinct(StringComparer.Ordinal));
        identity.SetDestinations(static _ => [Destinations.AccessToken]);

        var properties = new AuthenticationProperties();
        if (!scopes.IsEmpty)
        {
            // OpenIddict returns "scope" only when the granted scopes differ from the requested ones,
            // as RFC 6749 5.1 allows; clients of this server expect it every time.
            properties.Parameters[Parameters.Scope] = string.Join(' ', scopes);
        }

        return Results.SignIn(new ClaimsPrincipal(identity), properties, Scheme);
    }
}
