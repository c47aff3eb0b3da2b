using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenBroker.IntegrationTests;

/// <summary>
/// Malformed and hostile requests against a broker with caller identity on: each one gets a 4xx problem document with a
/// stable code, never a 5xx, and nothing it sent is reflected unescaped.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class HostileRequestTests(IntegrationFixture fixture) : IAsyncLifetime
{
    private BrokerInstance _broker = null!;
    private string _token = null!;
    private string _otherAudience = null!;

    public async Task InitializeAsync()
    {
        _broker = await fixture.StartBrokerAsync(fixture.CallerIdentitySettings());
        _token = await fixture.Authorization.CallerTokenAsync();
        _otherAudience = await fixture.Authorization.CallerTokenAsync("api://someone-else");
        fixture.Sink.AddSensitive(_token);
        fixture.Sink.AddSensitive(_otherAudience);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    public static TheoryData<string, string, string, string?, string?, string> Cases() => new()
    {
        // name, method, path, body, content type, expected code ("" = any 4xx problem)
        { "GET on the token route", "GET", "/api/token/demo", null, null, "method_not_allowed" },
        { "PUT", "PUT", "/api/token/demo", "{}", "application/json", "method_not_allowed" },
        { "DELETE", "DELETE", "/api/token/demo", null, null, "method_not_allowed" },
        { "PATCH", "PATCH", "/api/token/demo", "{}", "application/json", "method_not_allowed" },
        { "OPTIONS", "OPTIONS", "/api/token/demo", null, null, "method_not_allowed" },
        { "no connection", "POST", "/api/token/", null, null, "not_found" },
        { "unknown route", "POST", "/api/tokens/demo", null, null, "not_found" },
        { "path traversal", "POST", "/api/token/..%2F..%2Fadmin", null, null, "" },
        // An encoded NUL never reaches the app: Kestrel itself answers it with a bare 400.
        { "encoded control character", "POST", "/api/token/demo%07", null, null, "invalid_connection_name" },
        { "encoded newline", "POST", "/api/token/demo%0D%0AX-Injected:%201", null, null, "invalid_connection_name" },
        { "non-ASCII name", "POST", "/api/token/d%C3%A9mo", null, null, "invalid_connection_name" },
        { "fullwidth letters", "POST", "/api/token/%EF%BD%84%EF%BD%85%EF%BD%8D%EF%BD%8F", null, null, "invalid_connection_name" },
        { "right-to-left override", "POST", "/api/token/demo%E2%80%AE", null, null, "invalid_connection_name" },
        { "zero-width joiner", "POST", "/api/token/de%E2%80%8Dmo", null, null, "invalid_connection_name" },
        { "trailing space", "POST", "/api/token/demo%20", null, null, "invalid_connection_name" },
        { "SQL in the name", "POST", "/api/token/demo'%20OR%201=1--", null, null, "invalid_connection_name" },
        { "OData in the name", "POST", "/api/token/demo%20or%20PartitionKey%20ne%20''", null, null, "invalid_connection_name" },
        { "script in the name", "POST", "/api/token/%3Cscript%3Ealert(1)%3C%2Fscript%3E", null, null, "" },
        { "65-character name", "POST", "/api/token/" + new string('a', 65), null, null, "invalid_connection_name" },
        // A caller not granted a connection learns nothing of it: an unknown one is refused like an existing one.
        { "unknown connection", "POST", "/api/token/nope", null, null, "caller_not_allowed" },
        { "broken JSON", "POST", "/api/token/demo", "{\"scope\":", "application/json", "malformed_body" },
        { "JSON array", "POST", "/api/token/demo", "[]", "application/json", "malformed_body" },
        { "JSON string", "POST", "/api/token/demo", "\"api.read\"", "application/json", "malformed_body" },
        { "scope as a number", "POST", "/api/token/demo", "{\"scope\":42}", "application/json", "malformed_body" },
        { "scope as an array", "POST", "/api/token/demo", "{\"scope\":[\"api.read\"]}", "application/json", "malformed_body" },
        { "duplicate scope member", "POST", "/api/token/demo", "{\"scope\":\"api.read\",\"scope\":\"api.admin\"}", "application/json", "malformed_body" },
        { "misspelled member", "POST", "/api/token/demo", "{\"scopes\":\"api.read\"}", "application/json", "malformed_body" },
        { "prototype pollution", "POST", "/api/token/demo", "{\"__proto__\":{\"admin\":true}}", "application/json", "malformed_body" },
        { "deep nesting", "POST", "/api/token/demo", string.Concat(Enumerable.Repeat("{\"a\":", 64)) + "1" + new string('}', 64), "application/json", "malformed_body" },
        { "byte order mark", "POST", "/api/token/demo", "\uFEFF{\"scope\":\"api.read\"}", "application/json", "malformed_body" },
        { "trailing garbage", "POST", "/api/token/demo", "{\"scope\":\"api.read\"}garbage", "application/json", "malformed_body" },
        { "comment", "POST", "/api/token/demo", "{/*x*/\"scope\":\"api.read\"}", "application/json", "malformed_body" },
        { "lone surrogate", "POST", "/api/token/demo", "{\"scope\":\"\\ud800\"}", "application/json", "malformed_body" },
        { "5 KiB body", "POST", "/api/token/demo", "{\"scope\":\"" + new string('a', 5000) + "\"}", "application/json", "body_too_large" },
        { "text/plain", "POST", "/api/token/demo", "{\"scope\":\"api.read\"}", "text/plain", "unsupported_media_type" },
        { "form body", "POST", "/api/token/demo", "scope=api.read", "application/x-www-form-urlencoded", "unsupported_media_type" },
        { "UTF-16 charset", "POST", "/api/token/demo", "{\"scope\":\"api.read\"}", "application/json; charset=utf-16", "unsupported_media_type" },
        { "XML", "POST", "/api/token/demo", "<scope>api.read</scope>", "application/xml", "unsupported_media_type" },
        { "quote in a scope", "POST", "/api/token/demo", "{\"scope\":\"api.read\\\"\"}", "application/json", "invalid_scope" },
        { "header injection in a scope", "POST", "/api/token/demo", "{\"scope\":\"api.read\\r\\nX-Injected: 1\"}", "application/json", "invalid_scope" },
        { "33 scopes", "POST", "/api/token/demo", "{\"scope\":\"" + string.Join(' ', Enumerable.Range(0, 33).Select(i => $"s{i}")) + "\"}", "application/json", "invalid_scope" },
        { "300-character scope", "POST", "/api/token/demo", "{\"scope\":\"" + new string('s', 300) + "\"}", "application/json", "invalid_scope" },
        { "non-ASCII scope", "POST", "/api/token/demo", "{\"scope\":\"api.réad\"}", "application/json", "invalid_scope" },
        { "scope the connection does not allow", "POST", "/api/token/demo", "{\"scope\":\"api.admin\"}", "application/json", "scope_not_allowed" },
        { "scope the caller is not granted", "POST", "/api/token/demo", "{\"scope\":\"api.write\"}", "application/json", "caller_not_allowed" },
        { "connection the caller is not granted", "POST", "/api/token/other", null, null, "caller_not_allowed" },
    };

    public static TheoryData<string, string?> Credentials() => new()
    {
        { "no Authorization header", null },
        { "Basic scheme", "Basic YWRtaW46YWRtaW4=" },
        { "empty bearer", "Bearer " },
        { "garbage bearer", "Bearer not-a-token" },
        { "three dots", "Bearer a.b.c" },
        { "JWE-shaped garbage", "Bearer a.b.c.d.e" },
        { "oversized bearer", "Bearer " + new string('a', 20_000) },
        { "bearer with control characters", "Bearer ey\u0001J" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_hostile_request_gets_a_4xx_problem_never_a_5xx(string name, string method, string path, string? body, string? contentType, string code)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        await AssertProblemAsync(name, request, code);
    }

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task A_missing_or_malformed_credential_is_401_with_a_challenge(string name, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/token/demo");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var call = await AssertProblemAsync(name, request, "unauthorized");
        Assert.Equal(401, call.Status);
    }

    [Fact]
    public async Task Tokens_for_another_audience_or_unsigned_or_self_signed_are_401()
    {
        var genuine = new JsonWebToken(_token);
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(genuine.EncodedPayload));
        using var rsa = RSA.Create(2048);
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var tokens = new[]
        {
            _otherAudience,
            handler.CreateToken(payload),
            handler.CreateToken(payload, new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = genuine.Kid }, SecurityAlgorithms.RsaSha256)),
            genuine.EncodedHeader + "." + Base64UrlEncoder.Encode(payload.Replace(AuthorizationServer.CallerClientId, "someone-else", StringComparison.Ordinal)) + "." + genuine.EncodedSignature,
        };

        foreach (var token in tokens)
        {
            fixture.Sink.AddSensitive(token);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/token/demo");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await AssertProblemAsync("forged token", request, "unauthorized");
        }
    }

    [Fact]
    public async Task A_broken_chunked_body_is_a_400_problem_not_a_500()
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(_broker.BaseAddress.Host, _broker.BaseAddress.Port);
        var stream = client.GetStream();
        var request = "POST /api/token/demo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
            $"Authorization: Bearer {_token}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz-not-a-chunk-size\r\n{{}}\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", response, StringComparison.Ordinal);
        Assert.Contains("malformed_body", response, StringComparison.Ordinal);
    }

    private async Task<TokenCall> AssertProblemAsync(string name, HttpRequestMessage request, string code)
    {
        using var response = await _broker.Client.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{name}: {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("<script>", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("at TokenBroker", raw, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("X-Injected"));
        var call = new TokenCall((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, null, null, System.Text.Json.JsonDocument.Parse(raw).RootElement.Clone());
        if (code.Length > 0)
        {
            Assert.True(code == call.Code, $"{name}: expected {code}, got {call.Code}");
        }

        return call;
    }
}
