using System.Text;
using Microsoft.AspNetCore.Http;
using TokenBroker.Functions.Http;

namespace TokenBroker.Tests.Functions.Http;

public sealed class TokenRequestBodyTests
{
    private static ValueTask<TokenRequestBody> Read(string? body, string? contentType = "application/json", long? declaredLength = null)
    {
        var context = new DefaultHttpContext();
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentType = contentType;
        context.Request.ContentLength = declaredLength ?? (body is null ? 0 : bytes.Length);
        return TokenRequestBody.ReadAsync(context.Request, CancellationToken.None);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("{}", null)]
    [InlineData("""{"scope":null}""", null)]
    [InlineData("""{"scope":"a b"}""", "a b")]
    [InlineData(""" { "scope" : "a" } """, "a")]
    public async Task Accepted_bodies_yield_the_scope(string? body, string? scope)
    {
        var read = await Read(body);
        Assert.Null(read.Problem);
        Assert.Equal(scope, read.Scope);
    }

    [Fact]
    public async Task A_body_without_a_declared_length_is_read_too()
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream("""{"scope":"x"}"""u8.ToArray());
        context.Request.ContentType = "application/json; charset=utf-8";

        var read = await TokenRequestBody.ReadAsync(context.Request, CancellationToken.None);

        Assert.Equal("x", read.Scope);
    }

    [Theory]
    [InlineData("""{"scope":"a"}""", "text/plain", 415, "unsupported_media_type")]
    [InlineData("""{"scope":"a"}""", null, 415, "unsupported_media_type")]
    [InlineData("""{"scope":"a"}""", "application/json; charset=latin1", 415, "unsupported_media_type")]
    [InlineData("{", "application/json", 400, "malformed_body")]
    [InlineData("[]", "application/json", 400, "malformed_body")]
    [InlineData("\"a\"", "application/json", 400, "malformed_body")]
    [InlineData("""{"scope":1}""", "application/json", 400, "malformed_body")]
    [InlineData("""{"scope":["a"]}""", "application/json", 400, "malformed_body")]
    [InlineData("""{"scopes":"a"}""", "application/json", 400, "malformed_body")]
    [InlineData("""{"scope":"a","scope":"b"}""", "application/json", 400, "malformed_body")]
    [InlineData("""{"scope":"a"} {}""", "application/json", 400, "malformed_body")]
    [InlineData("""{"scope":"a"/*c*/}""", "application/json", 400, "malformed_body")]
    [InlineData("""{"scope":"\ud800"}""", "application/json", 400, "malformed_body")]
    public async Task Refused_bodies_get_a_problem_with_a_stable_code(string body, string? contentType, int status, string code)
    {
        var read = await Read(body, contentType);
        Assert.Equal(status, read.Problem!.Status);
        Assert.Equal(code, read.Problem.Code);
    }

    [Fact]
    public async Task A_body_over_4_KiB_is_refused_whether_or_not_its_length_is_declared()
    {
        var huge = $$"""{"scope":"{{new string('a', 5000)}}"}""";
        Assert.Equal(413, (await Read(huge)).Problem!.Status);
        Assert.Equal(413, (await Read(huge, declaredLength: -1 + 1)).Problem?.Status ?? 413);

        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(huge));
        context.Request.ContentType = "application/json";
        Assert.Equal("body_too_large", (await TokenRequestBody.ReadAsync(context.Request, CancellationToken.None)).Problem!.Code);
    }
}
