using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenBroker.Access;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Access;

/// <summary>
/// Caller tokens validated by the real Microsoft.IdentityModel handler against an authority whose OIDC metadata and keys
/// are served in memory; the real OpenIddict authority over loopback is in the integration tests (CallerIdentityTests).
/// </summary>
public sealed class CallerAuthenticatorTests : IDisposable
{
    private const string Issuer = "https://authority.example.test/tenant/v2.0";
    private const string Audience = "api://tokenbroker";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly RSA _key = RSA.Create(2048);
    private readonly RSA _otherKey = RSA.Create(2048);
    private readonly AuthorityMetadata _authority;

    public CallerAuthenticatorTests() => _authority = new AuthorityMetadata(_key);

    public void Dispose()
    {
        _authority.Dispose();
        _key.Dispose();
        _otherKey.Dispose();
    }

    private CallerAuthenticator Authenticator(CallerOptions? options = null, IHostEnvironment? environment = null) => new(
        Options.Create(options ?? new CallerOptions { Authority = new Uri(Issuer), Audience = Audience }),
        environment ?? TestEnvironment.Production,
        _time,
        _authority,
        NullLogger<CallerAuthenticator>.Instance);

    private string Token(
        string issuer = Issuer,
        string audience = Audience,
        TimeSpan? expiresIn = null,
        RSA? key = null,
        string keyId = AuthorityMetadata.KeyId,
        params Claim[] claims)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.AddMinutes(-1),
            NotBefore = now.AddMinutes(-1),
            Expires = now + (expiresIn ?? TimeSpan.FromHours(1)),
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? _key) { KeyId = keyId }, SecurityAlgorithms.RsaSha256),
        });
    }

    private ValueTask<CallerAuthentication> Bearer(string token) =>
        Authenticator().AuthenticateAsync("Bearer " + token, null, CancellationToken.None);

    [Fact]
    public async Task A_valid_token_identifies_the_caller_by_azp_oid_and_roles()
    {
        var token = Token(claims: [new("azp", "caller-app"), new("oid", "caller-object"), new("roles", "Reader"), new("roles", "TokenBroker.Admin")]);

        var result = await Bearer(token);

        Assert.True(result.Succeeded);
        Assert.Equal(CallerMode.Jwt, result.Caller!.Mode);
        Assert.Equal("caller-app", result.Caller.AppId);
        Assert.Equal("caller-object", result.Caller.ObjectId);
        Assert.Equal<string>(["Reader", "TokenBroker.Admin"], result.Caller.Roles);
    }

    [Fact]
    public async Task A_v1_token_names_its_application_with_appid()
    {
        var result = await Bearer(Token(claims: [new("appid", "v1-app")]));

        Assert.Equal("v1-app", result.Caller!.AppId);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused_as_invalid_token()
    {
        var result = await Bearer(Token(audience: "api://someone-else"));

        Assert.False(result.Succeeded);
        Assert.Equal("invalid_token", result.Error);
        Assert.Equal("The token was not issued for this broker (audience).", result.Description);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_refused()
    {
        var result = await Bearer(Token(issuer: "https://attacker.example.test/v2.0"));

        Assert.Equal("invalid_token", result.Error);
        Assert.Equal("The token was not issued by the trusted authority.", result.Description);
    }

    [Fact]
    public async Task A_token_signed_with_a_key_the_authority_does_not_publish_is_refused()
    {
        var result = await Bearer(Token(key: _otherKey, keyId: "unknown-key"));

        Assert.Equal("invalid_token", result.Error);
        Assert.Equal("The token's signature is not valid.", result.Description);
    }

    [Fact]
    public async Task An_unsigned_token_is_refused()
    {
        var unsigned = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = _time.GetUtcNow().UtcDateTime,
            NotBefore = _time.GetUtcNow().UtcDateTime,
            Expires = _time.GetUtcNow().UtcDateTime.AddHours(1),
            Subject = new ClaimsIdentity([new Claim("azp", "caller-app")]),
        });

        var result = await Bearer(unsigned);

        Assert.False(result.Succeeded);
        Assert.Equal("invalid_token", result.Error);
    }

    [Fact]
    public async Task The_lifetime_is_checked_on_the_brokers_clock_with_the_configured_skew()
    {
        var token = Token(expiresIn: TimeSpan.FromMinutes(10));

        _time.Advance(TimeSpan.FromMinutes(11));
        var withinSkew = await Bearer(token);
        _time.Advance(TimeSpan.FromMinutes(2));
        var pastSkew = await Bearer(token);

        Assert.True(withinSkew.Succeeded);
        Assert.False(pastSkew.Succeeded);
        Assert.Equal("invalid_token", pastSkew.Error);
        Assert.Contains("expired", pastSkew.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_never_quotes_the_token()
    {
        var token = Token(audience: "api://someone-else", claims: [new("azp", "caller-app")]);

        var result = await Bearer(token);

        Assert.DoesNotContain(token.Split('.')[1], result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("caller-app", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_authorization_header_is_a_challenge_without_an_error_code()
    {
        var result = await Authenticator().AuthenticateAsync(null, null, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Null(result.Error);
        Assert.Null(result.RetryAfter);
    }

    [Fact]
    public async Task Another_scheme_is_an_invalid_request()
    {
        var result = await Authenticator().AuthenticateAsync("Basic dXNlcjpwYXNz", null, CancellationToken.None);

        Assert.Equal("invalid_request", result.Error);
    }

    [Fact]
    public async Task An_empty_or_oversized_token_is_refused_without_asking_the_authority()
    {
        var empty = await Authenticator().AuthenticateAsync("Bearer   ", null, CancellationToken.None);
        var oversized = await Bearer(new string('a', (16 * 1024) + 1));

        Assert.Equal("invalid_token", empty.Error);
        Assert.Equal("invalid_token", oversized.Error);
        Assert.Equal(0, _authority.Requests);
    }

    [Fact]
    public async Task An_easy_auth_principal_names_the_caller_with_its_custom_role_claim_type()
    {
        var principal = Convert.ToBase64String(Encoding.UTF8.GetBytes("""
            {"auth_typ":"aad","role_typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","claims":[
              {"typ":"appid","val":"easy-app"},
              {"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"easy-object"},
              {"typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","val":"Reader"},
              {"typ":"name","val":"ignored"}]}
            """));
        var easyAuth = Authenticator(new CallerOptions { Mode = CallerMode.EasyAuth });

        var result = await easyAuth.AuthenticateAsync("Bearer ignored-in-this-mode", principal, CancellationToken.None);

        Assert.Equal(CallerMode.EasyAuth, result.Caller!.Mode);
        Assert.Equal("easy-app", result.Caller.AppId);
        Assert.Equal("easy-object", result.Caller.ObjectId);
        Assert.Equal<string>(["Reader"], result.Caller.Roles);
        Assert.Equal(0, _authority.Requests);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("not base64!", "invalid_token")]
    [InlineData("eyJub3QiOiJjbGFpbXMifQ==", "invalid_token")]
    public async Task A_missing_or_malformed_easy_auth_principal_identifies_no_one(string? header, string? error)
    {
        var result = await Authenticator(new CallerOptions { Mode = CallerMode.EasyAuth }).AuthenticateAsync(null, header, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public async Task Without_an_authority_the_development_environment_lets_every_caller_in_as_development()
    {
        var development = Authenticator(new CallerOptions(), TestEnvironment.Development);

        var result = await development.AuthenticateAsync(null, null, CancellationToken.None);

        Assert.Equal(CallerMode.Development, development.Mode);
        Assert.Same(Caller.Development, result.Caller);
    }

    [Fact]
    public async Task Function_key_only_mode_identifies_every_caller_as_the_key_holder()
    {
        var result = await Authenticator(new CallerOptions { Mode = CallerMode.FunctionKeyOnly }).AuthenticateAsync("Bearer whatever", null, CancellationToken.None);

        Assert.Same(Caller.FunctionKeyHolder, result.Caller);
    }

    /// <summary>The authority's OIDC metadata document and its key set, served in memory.</summary>
    private sealed class AuthorityMetadata(RSA key) : HttpMessageHandler, IHttpClientFactory
    {
        public const string KeyId = "authority-key-1";

        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public HttpClient CreateClient(string name) => new(this, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            var parameters = key.ExportParameters(includePrivateParameters: false);
            var body = request.RequestUri!.AbsolutePath.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal)
                ? $$"""{"issuer":"{{Issuer}}","jwks_uri":"https://authority.example.test/tenant/discovery/v2.0/keys"}"""
                : $$"""{"keys":[{"kty":"RSA","use":"sig","kid":"{{KeyId}}","n":"{{Base64UrlEncoder.Encode(parameters.Modulus)}}","e":"{{Base64UrlEncoder.Encode(parameters.Exponent)}}"}]}""";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
