using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using TokenBroker;
using TokenBroker.Access;

namespace TokenBroker.Functions.Http;

/// <summary>
/// An RFC 9457 problem document with a stable <c>code</c>. Written by hand rather than through MVC's formatters so that
/// the Functions runtime and the standalone host produce the same bytes without registering MVC.
/// </summary>
internal sealed class ProblemResult : IActionResult
{
    /// <summary>The media type of problem documents.</summary>
    public const string ContentType = "application/problem+json";

    /// <summary>Creates a problem.</summary>
    public ProblemResult(int status, string code, string title, string detail)
    {
        Status = status;
        Code = code;
        Title = title;
        Detail = detail;
    }

    /// <summary>The HTTP status.</summary>
    public int Status { get; }

    /// <summary>The stable error code.</summary>
    public string Code { get; }

    /// <summary>A short summary that does not change between occurrences.</summary>
    public string Title { get; }

    /// <summary>What happened this time.</summary>
    public string Detail { get; }

    /// <summary>The authorization server's OAuth error code, for <see cref="ProblemCode.UpstreamRejected"/>.</summary>
    public string? UpstreamError { get; init; }

    /// <summary>When to try again; also sent as the <c>Retry-After</c> header.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The <c>WWW-Authenticate</c> challenge of a 401.</summary>
    public string? WwwAuthenticate { get; init; }

    /// <summary>
    /// The 401 for a caller the broker could not identify, with its RFC 6750 challenge; or 503 with <c>Retry-After</c>
    /// when the broker could not check the caller's token at all (the authority's signing keys are unavailable).
    /// </summary>
    public static ProblemResult Unauthenticated(CallerAuthentication authentication)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        if (authentication.RetryAfter is { } retryAfter)
        {
            return new ProblemResult(StatusCodes.Status503ServiceUnavailable, ProblemCode.UpstreamUnavailable, "Authorization server unavailable", authentication.Description)
            {
                RetryAfter = retryAfter,
            };
        }

        var challenge = authentication.Error is null
            ? "Bearer"
            : $"Bearer error=\"{authentication.Error}\", error_description=\"{authentication.Description}\"";
        return new ProblemResult(StatusCodes.Status401Unauthorized, ProblemCode.Unauthorized, "Unauthorized", authentication.Description)
        {
            WwwAuthenticate = challenge,
        };
    }

    /// <summary>The problem for a failed token request.</summary>
    public static ProblemResult From(TokenError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var (status, code, title) = ProblemCode.For(error.Kind);
        return new ProblemResult(status, code, title, error.Detail) { UpstreamError = error.UpstreamError, RetryAfter = error.RetryAfter };
    }

    /// <inheritdoc />
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return WriteAsync(context.HttpContext);
    }

    /// <summary>Writes the problem to <paramref name="context"/>'s response.</summary>
    public async Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = Status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        if (WwwAuthenticate is not null)
        {
            response.Headers.WWWAuthenticate = WwwAuthenticate;
        }

        if (RetryAfter is { } retryAfter)
        {
            var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("type", "urn:tokenbroker:problem:" + Code);
            json.WriteString("title", Title);
            json.WriteNumber("status", Status);
            json.WriteString("detail", Detail);
            json.WriteString("code", Code);
            if (UpstreamError is not null)
            {
                json.WriteString("upstream_error", UpstreamError);
            }

            if (RetryAfter is { } wait)
            {
                json.WriteNumber("retry_after", Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)));
            }

            json.WriteString("instance", context.Request.Path.Value);
            json.WriteString("trace_id", System.Diagnostics.Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier);
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
