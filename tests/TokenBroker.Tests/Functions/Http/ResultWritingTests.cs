using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TokenBroker.Caching;
using TokenBroker.Functions.Http;

namespace TokenBroker.Tests.Functions.Http;

public sealed class ResultWritingTests
{
    private static async Task<(HttpResponse Response, JsonElement Json)> Write(Func<HttpContext, Task> write)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/token/payments";
        var body = new MemoryStream();
        context.Response.Body = body;
        await write(context);
        return (context.Response, JsonDocument.Parse(body.ToArray()).RootElement);
    }

    [Fact]
    public async Task The_token_response_has_the_RFC_6749_shape_and_is_never_stored()
    {
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var token = new CachedToken("eyJ.abc.def", "Bearer", "api.read", now.AddMinutes(-10), now.AddMinutes(50), "v1");

        var (response, json) = await Write(c => new TokenResponseResult(token, now).WriteAsync(c));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl);
        Assert.Equal("no-cache", response.Headers.Pragma);
        Assert.StartsWith("application/json", response.ContentType, StringComparison.Ordinal);
        Assert.Equal("eyJ.abc.def", json.GetProperty("access_token").GetString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(3000, json.GetProperty("expires_in").GetInt64());
        Assert.Equal(now.AddMinutes(50).ToUnixTimeSeconds(), json.GetProperty("expires_on").GetInt64());
        Assert.Equal("api.read", json.GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("eyJ.abc.def", "api.read", 3000)]
    [InlineData("opaque+/=\"<>&'\u00e9\u2028", "api.read api.write", 0)]
    [InlineData("eyJ.abc.def", "", 7)]
    public async Task The_token_response_is_byte_for_byte_what_a_JSON_writer_writes_and_declares_its_length(string accessToken, string scope, long secondsLeft)
    {
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var token = new CachedToken(accessToken, "Bearer", scope, now.AddMinutes(-10), now.AddSeconds(secondsLeft), "v1");
        var expected = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(expected))
        {
            json.WriteStartObject();
            json.WriteString("access_token", accessToken);
            json.WriteString("token_type", "Bearer");
            json.WriteNumber("expires_in", secondsLeft);
            json.WriteNumber("expires_on", token.ExpiresOn.ToUnixTimeSeconds());
            json.WriteString("scope", scope);
            json.WriteEndObject();
        }

        // Twice: the second response comes from the rendering the first one made.
        foreach (var _ in new[] { 1, 2 })
        {
            var context = new DefaultHttpContext();
            var body = new MemoryStream();
            context.Response.Body = body;

            await new TokenResponseResult(token, now).WriteAsync(context);

            Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan), Encoding.UTF8.GetString(body.ToArray()));
            Assert.Equal(body.Length, context.Response.ContentLength);
        }
    }

    [Theory]
    [InlineData(TokenErrorKind.ConnectionNotFound, 404, "connection_not_found")]
    [InlineData(TokenErrorKind.InvalidConnectionName, 400, "invalid_connection_name")]
    [InlineData(TokenErrorKind.InvalidScope, 400, "invalid_scope")]
    [InlineData(TokenErrorKind.ScopeNotAllowed, 403, "scope_not_allowed")]
    [InlineData(TokenErrorKind.UpstreamRejected, 502, "upstream_rejected")]
    [InlineData(TokenErrorKind.UpstreamInvalidResponse, 502, "upstream_invalid_response")]
    [InlineData(TokenErrorKind.UpstreamUnavailable, 503, "upstream_unavailable")]
    [InlineData(TokenErrorKind.SecretUnavailable, 503, "secret_unavailable")]
    public async Task Each_error_kind_maps_to_one_status_and_code(TokenErrorKind kind, int status, string code)
    {
        var (response, json) = await Write(c => ProblemResult.From(new TokenError(kind, "detail")).WriteAsync(c));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        Assert.Equal("urn:tokenbroker:problem:" + code, json.GetProperty("type").GetString());
        Assert.Equal("/api/token/payments", json.GetProperty("instance").GetString());
    }

    [Fact]
    public async Task Transient_problems_carry_retry_after_in_header_and_body()
    {
        var error = new TokenError(TokenErrorKind.UpstreamUnavailable, "down") { RetryAfter = TimeSpan.FromSeconds(7.2), UpstreamError = "temporarily_unavailable" };

        var (response, json) = await Write(c => ProblemResult.From(error).WriteAsync(c));

        Assert.Equal("8", response.Headers.RetryAfter);
        Assert.Equal(8, json.GetProperty("retry_after").GetInt32());
        Assert.Equal("temporarily_unavailable", json.GetProperty("upstream_error").GetString());
    }
}
