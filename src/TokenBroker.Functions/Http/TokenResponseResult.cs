using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using TokenBroker.Caching;

namespace TokenBroker.Functions.Http;

/// <summary>
/// The RFC 6749 §5.1 token response, plus <c>expires_on</c>. <c>expires_in</c> is what is left now, not the original lifetime,
/// so a caller that caches by it never holds a token past its expiry.
/// </summary>
internal sealed class TokenResponseResult(CachedToken token, DateTimeOffset now) : IActionResult
{
    /// <inheritdoc />
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return WriteAsync(context.HttpContext);
    }

    /// <summary>Writes the token response to <paramref name="context"/>'s response.</summary>
    public async Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";

        // RFC 6749 §5.1: responses carrying tokens must not be stored by any cache on the way.
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";

        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("access_token", token.AccessToken);
            json.WriteString("token_type", token.TokenType);
            json.WriteNumber("expires_in", token.SecondsLeft(now));
            json.WriteNumber("expires_on", token.ExpiresOn.ToUnixTimeSeconds());
            json.WriteString("scope", token.Scope);
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
