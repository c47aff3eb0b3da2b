using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using TokenBroker.Caching;

namespace TokenBroker.Functions.Http;

/// <summary>
/// The RFC 6749 §5.1 token response, plus <c>expires_on</c>. <c>expires_in</c> is what is left now, not the original lifetime,
/// so a caller that caches by it never holds a token past its expiry.
/// </summary>
internal sealed class TokenResponseResult : IActionResult
{
    private readonly CachedToken _token;
    private readonly DateTimeOffset _now;
    private readonly TimeProvider? _time;
    private readonly TokenResponseBody? _body;

    /// <summary>A response for <paramref name="token"/> with the seconds it has left at <paramref name="now"/>.</summary>
    public TokenResponseResult(CachedToken token, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(token);
        _token = token;
        _now = now;
    }

    private TokenResponseResult(CachedToken token, TimeProvider time, TokenResponseBody body)
    {
        _token = token;
        _time = time;
        _body = body;
    }

    /// <summary>
    /// The response for <paramref name="token"/>, made once per token and clock and shared by all its responses: the seconds
    /// left are read from <paramref name="time"/> as the body is written, so a warm hit allocates no result.
    /// </summary>
    internal static TokenResponseResult For(CachedToken token, TimeProvider time)
    {
        var body = TokenResponseBody.For(token);

        // Racing first responses may each make one; whichever is kept is as good as the other.
        var result = body.SharedResult;
        if (result is null || !ReferenceEquals(result._time, time))
        {
            body.SharedResult = result = new TokenResponseResult(token, time, body);
        }

        return result;
    }

    /// <inheritdoc />
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return WriteAsync(context.HttpContext);
    }

    /// <summary>Writes the token response to <paramref name="context"/>'s response.</summary>
    public Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";

        // RFC 6749 §5.1: responses carrying tokens must not be stored by any cache on the way.
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";

        var body = _body ?? TokenResponseBody.For(_token);
        body.Write(response, _token.SecondsLeft(_time?.GetUtcNow() ?? _now));
        var flushing = response.BodyWriter.FlushAsync(context.RequestAborted);
        return flushing.IsCompletedSuccessfully ? Task.CompletedTask : flushing.AsTask();
    }
}
