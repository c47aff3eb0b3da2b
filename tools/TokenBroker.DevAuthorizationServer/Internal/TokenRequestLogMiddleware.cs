using Microsoft.AspNetCore;
using OpenIddict.Abstractions;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>
/// Records each request to the token endpoint in <see cref="TokenRequestLog"/>. It runs before
/// OpenIddict, so requests OpenIddict rejects (bad secret, unknown scope) are recorded too.
/// </summary>
internal sealed class TokenRequestLogMiddleware(RequestDelegate next, TokenRequestLog log, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var receivedAt = time.GetUtcNow();

        // An exception escaping the pipeline becomes a 500 further out, after this has run.
        var statusCode = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            statusCode = context.Response.StatusCode;
        }
        finally
        {
            // OpenIddict parses the request (Basic header included) and leaves it on the context,
            // so the form is not read twice; it is null when the request was too malformed to parse.
            var request = context.GetOpenIddictServerRequest();
            var response = context.GetOpenIddictServerResponse();
            log.Add(new TokenRequestRecord(
                request?.ClientId,
                request?.Scope,
                StyleOf(context, request),
                statusCode,
                response?.Error,
                receivedAt));
        }
    }

    private static ClientAuthenticationStyle StyleOf(HttpContext context, OpenIddictRequest? request)
    {
        string? authorization = context.Request.Headers.Authorization;
        if (authorization?.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) == true)
        {
            return ClientAuthenticationStyle.Basic;
        }

        if (!string.IsNullOrEmpty(request?.ClientAssertion))
        {
            return ClientAuthenticationStyle.Assertion;
        }

        return string.IsNullOrEmpty(request?.ClientSecret) ? ClientAuthenticationStyle.None : ClientAuthenticationStyle.Post;
    }
}
