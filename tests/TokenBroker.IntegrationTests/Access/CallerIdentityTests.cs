using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenBroker.IntegrationTests.Access;

/// <summary>Callers prove who they are with a token from a real OIDC authority (the OpenIddict server); the policy decides what they get.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class CallerIdentityTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task A_caller_with_a_valid_token_gets_what_its_rule_grants_and_nothing_more()
    {
        await using var broker = await fixture.StartBrokerAsync(fixture.CallerIdentitySettings());
        var token = await CallerTokenAsync();

        var granted = await CallAsync(broker, "demo", token);
        var otherScope = await CallAsync(broker, "demo", token, """{"scope":"api.write"}""");
        var otherConnection = await CallAsync(broker, "other", token);

        Assert.Equal(200, granted.Status);
        Assert.Equal(403, otherScope.Status);
        Assert.Equal("caller_not_allowed", otherScope.Code);
        Assert.Equal(403, otherConnection.Status);
        Assert.Equal("caller_not_allowed", otherConnection.Code);
        Assert.Contains(fixture.Sink.Emitted, line => line.Contains("Access denied: caller caller-app connection other", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Caller_ids_are_classified_so_a_deployment_can_redact_them_in_logs()
    {
        await using var broker = await fixture.StartBrokerAsync(
            fixture.CallerIdentitySettings(),
            services => services.AddRedaction(redaction => redaction.SetRedactor<Microsoft.Extensions.Compliance.Redaction.ErasingRedactor>(TokenBroker.Diagnostics.TokenBrokerTaxonomy.CallerIdentifier)));
        var logged = fixture.Sink.EmittedCount;

        await CallAsync(broker, "other", await CallerTokenAsync());

        var lines = fixture.Sink.Emitted.Skip(logged).ToList();
        Assert.Contains(lines, line => line.Contains("Access denied: caller  connection other", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("Access denied: caller caller-app", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_token_is_401_with_a_bearer_challenge()
    {
        await using var broker = await fixture.StartBrokerAsync(fixture.CallerIdentitySettings());

        using var response = await broker.Client.PostAsync("/api/token/demo", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_401_invalid_token()
    {
        await using var broker = await fixture.StartBrokerAsync(fixture.CallerIdentitySettings());
        var token = await fixture.Authorization.CallerTokenAsync("api://someone-else");
        fixture.Sink.AddSensitive(token);

        using var response = await SendAsync(broker, "demo", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("audience", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_is_401_after_the_clock_skew()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var broker = await fixture.StartBrokerAsync(fixture.CallerIdentitySettings(), s => s.AddSingleton<TimeProvider>(clock));
        var token = await CallerTokenAsync();

        var fresh = await CallAsync(broker, "demo", token);
        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var withinSkew = await CallAsync(broker, "demo", token);
        clock.Advance(TimeSpan.FromMinutes(2));
        var expired = await CallAsync(broker, "demo", token);

        Assert.Equal(200, fresh.Status);
        Assert.Equal(200, withinSkew.Status);
        Assert.Equal(401, expired.Status);
    }

    [Fact]
    public async Task Unsigned_and_forged_tokens_are_refused()
    {
        await using var broker = await fixture.StartBrokerAsync(fixture.CallerIdentitySettings());
        var genuine = new JsonWebToken(await CallerTokenAsync());

        var none = Forge(genuine, null);
        using var rsa = RSA.Create(2048);
        var forged = Forge(genuine, new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = genuine.Kid }, SecurityAlgorithms.RsaSha256));
        var hmac = Forge(genuine, new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = genuine.Kid }, SecurityAlgorithms.HmacSha256));

        foreach (var token in new[] { none, forged, hmac })
        {
            fixture.Sink.AddSensitive(token);
            Assert.Equal(401, (await CallAsync(broker, "demo", token)).Status);
        }
    }

    [Fact]
    public async Task Behind_app_service_authentication_the_client_principal_header_identifies_the_caller_only_when_switched_on()
    {
        var settings = fixture.CallerIdentitySettings();
        settings["TokenBroker:Callers:Mode"] = "EasyAuth";
        settings["WEBSITE_AUTH_ENABLED"] = "True"; // what App Service sets when its Authentication is on
        await using var easyAuth = await fixture.StartBrokerAsync(settings);
        await using var jwt = await fixture.StartBrokerAsync(fixture.CallerIdentitySettings());
        var principal = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $$"""{"auth_typ":"aad","name_typ":"name","role_typ":"roles","claims":[{"typ":"azp","val":"{{AuthorizationServer.CallerClientId}}"}]}"""));

        var trusted = await PostWithHeaderAsync(easyAuth, "X-MS-CLIENT-PRINCIPAL", principal);
        var malformed = await PostWithHeaderAsync(easyAuth, "X-MS-CLIENT-PRINCIPAL", "%%%not-base64");
        var ignored = await PostWithHeaderAsync(jwt, "X-MS-CLIENT-PRINCIPAL", principal);

        Assert.Equal(200, trusted.Status);
        Assert.Equal(401, malformed.Status);
        Assert.Equal(401, ignored.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("False")]
    public async Task Easy_auth_mode_is_refused_where_app_service_authentication_is_not_on(string? enabled)
    {
        // WEBSITE_AUTH_ENABLED=True is how App Service tells the app its Authentication is on, as read by
        // Microsoft.Identity.Web (AppServicesAuthenticationInformation.cs, github.com/AzureAD/microsoft-identity-web) and
        // Data API builder (github.com/Azure/data-api-builder/pull/1011). Without it anyone can write X-MS-CLIENT-PRINCIPAL.
        var settings = fixture.CallerIdentitySettings();
        settings["TokenBroker:Callers:Mode"] = "EasyAuth";
        settings["WEBSITE_AUTH_ENABLED"] = enabled;

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => fixture.StartBrokerAsync(settings));

        Assert.Contains("TokenBroker:Callers:Mode", error.Message, StringComparison.Ordinal);
        Assert.Contains("WEBSITE_AUTH_ENABLED", error.Message, StringComparison.Ordinal);
    }

    private async Task<string> CallerTokenAsync()
    {
        var token = await fixture.Authorization.CallerTokenAsync();
        fixture.Sink.AddSensitive(token);
        return token;
    }

    private static string Forge(JsonWebToken genuine, SigningCredentials? credentials)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(genuine.EncodedPayload));
        return credentials is null ? handler.CreateToken(payload) : handler.CreateToken(payload, credentials);
    }

    private static async Task<HttpResponseMessage> SendAsync(BrokerInstance broker, string connection, string token, string? body = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/token/{connection}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await broker.Client.SendAsync(request);
    }

    private async Task<TokenCall> CallAsync(BrokerInstance broker, string connection, string token, string? body = null)
    {
        using var response = await SendAsync(broker, connection, token, body);
        return await TokenCall.ReadAsync(response, fixture.Sink);
    }

    private async Task<TokenCall> PostWithHeaderAsync(BrokerInstance broker, string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/token/demo");
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await broker.Client.SendAsync(request);
        return await TokenCall.ReadAsync(response, fixture.Sink);
    }
}
