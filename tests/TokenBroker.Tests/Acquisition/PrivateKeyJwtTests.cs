using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Security.KeyVault.Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenBroker.Secrets;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Acquisition;

/// <summary>
/// <c>private_key_jwt</c> through the whole core, against a vault (Moq over CertificateClient and SecretClient) and a
/// token endpoint that accepts assertions signed by a set of certificates, as an app registration does.
/// </summary>
public sealed class PrivateKeyJwtTests : IDisposable
{
    private const string Endpoint = "https://login.example.test/oauth2/token";
    private readonly CertificateVaultMock _vault = new("payments-cert");
    private readonly ConcurrentDictionary<string, X509Certificate2> _accepted = new(StringComparer.Ordinal);
    private readonly X509Certificate2 _v1 = TestCertificates.Create("payments-v1");
    private readonly X509Certificate2 _v2 = TestCertificates.Create("payments-v2");
    private readonly CoreHarness _harness;

    public PrivateKeyJwtTests()
    {
        _harness = new CoreHarness(
            new Dictionary<string, string?>
            {
                ["TokenBroker:KeyVaultUri"] = "https://vault.vault.azure.net/",
                ["TokenBroker:SecretCacheDuration"] = "02:00:00",
                ["TokenBroker:Refresh:JitterRatio"] = "0",
                ["TokenBroker:Connections:payments:AuthMethod"] = "private_key_jwt",
                ["TokenBroker:Connections:payments:CertificateName"] = "payments-cert",
                ["TokenBroker:TokenEndpoint:MaxRetryAttempts"] = "1",
                ["TokenBroker:TokenEndpoint:RetryDelay"] = "00:00:00",
            },
            null,
            _vault.Secrets.Object,
            services => services.AddSingleton<CertificateClient>(_vault.Certificates.Object));
        _harness.Endpoint.Respond = AnswerAsync;
    }

    public void Dispose()
    {
        _harness.Dispose();
        _v1.Dispose();
        _v2.Dispose();
    }

    private void Accept(params X509Certificate2[] certificates)
    {
        _accepted.Clear();
        foreach (var certificate in certificates)
        {
            _accepted[Base64Url.EncodeToString(SHA256.HashData(certificate.RawData))] = TestCertificates.PublicPart(certificate);
        }
    }

    private ValueTask<TokenResult> Get() => _harness.Broker.GetTokenAsync("payments", null, CancellationToken.None);

    private void ExpireCachedToken() => _harness.Time.Advance(TimeSpan.FromMinutes(56));

    // Like Entra ID: find the registered certificate by x5t#S256 and check the signature, issuer and audience.
    private async Task<HttpResponseMessage> AnswerAsync(StubTokenEndpoint.RecordedRequest request)
    {
        var assertion = request.Form.GetValueOrDefault("client_assertion");
        var thumbprint = assertion is null ? null : new JsonWebToken(assertion).GetHeaderValue<string>("x5t#S256");
        if (thumbprint is not null && _accepted.TryGetValue(thumbprint, out var certificate))
        {
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(assertion, new TokenValidationParameters
            {
                ValidIssuer = "payments-client",
                ValidAudience = Endpoint,
                IssuerSigningKey = new X509SecurityKey(certificate),
                ValidateLifetime = false,
            });
            if (result.IsValid)
            {
                return StubTokenEndpoint.Json(HttpStatusCode.OK, $$"""{"access_token":"tok-{{Guid.NewGuid():N}}","token_type":"Bearer","expires_in":3600}""");
            }
        }

        return StubTokenEndpoint.Json(HttpStatusCode.Unauthorized, """{"error":"invalid_client","error_description":"unknown key"}""");
    }

    [Fact]
    public async Task A_token_request_presents_a_jwt_bearer_assertion_and_no_secret()
    {
        var v1 = _vault.Add(_v1);
        Accept(_v1);

        var result = await Get();

        Assert.True(result.Succeeded);
        Assert.Equal(v1, result.Token.SecretVersion);
        var request = Assert.Single(_harness.Endpoint.Requests);
        Assert.Null(request.AuthScheme);
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", request.Form["client_assertion_type"]);
        Assert.Equal("payments-client", request.Form["client_id"]);
        Assert.False(request.Form.ContainsKey("client_secret"));
    }

    [Fact]
    public async Task A_retried_token_request_presents_a_new_assertion_so_a_server_remembering_jti_values_accepts_it()
    {
        _vault.Add(_v1);
        Accept(_v1);
        var answer = _harness.Endpoint.Respond;
        var calls = 0;
        _harness.Endpoint.Respond = request => Interlocked.Increment(ref calls) == 1
            ? Task.FromResult(StubTokenEndpoint.Json(HttpStatusCode.ServiceUnavailable, """{"error":"temporarily_unavailable"}"""))
            : answer(request);

        var result = await Get();

        Assert.True(result.Succeeded);
        var ids = _harness.Endpoint.Requests.Select(r => new JsonWebToken(r.Form["client_assertion"]).Id).ToList();
        Assert.Equal(2, ids.Count);
        Assert.NotEqual(ids[0], ids[1]);
    }

    [Fact]
    public async Task After_the_old_certificate_is_revoked_invalid_client_makes_the_broker_reread_the_vault_and_succeed()
    {
        var v1 = _vault.Add(_v1);
        Accept(_v1);
        Assert.Equal(v1, (await Get()).Token!.SecretVersion);

        var v2 = _vault.Add(_v2);
        Accept(_v2);
        ExpireCachedToken();
        var result = await Get();

        Assert.Equal(v2, result.Token!.SecretVersion);
        Assert.Equal(3, _harness.Endpoint.Count); // the first token, the refused old certificate, the new one
    }

    [Fact]
    public async Task During_the_overlap_a_previous_enabled_version_is_used_and_pinned_when_the_latest_is_not_registered_yet()
    {
        var v1 = _vault.Add(_v1);
        _vault.Add(_v2);
        Accept(_v1);

        var first = await Get();
        var before = _harness.Endpoint.Count;
        ExpireCachedToken();
        var second = await Get();

        Assert.Equal(v1, first.Token!.SecretVersion);
        Assert.Equal(v1, second.Token!.SecretVersion);
        Assert.Equal(before + 1, _harness.Endpoint.Count); // pinned: the refused latest version is not tried first again
    }

    [Fact]
    public async Task A_new_version_event_for_the_certificates_secret_makes_the_next_fetch_use_the_new_certificate()
    {
        _vault.Add(_v1);
        Accept(_v1, _v2);
        await Get();

        var v2 = _vault.Add(_v2);
        _harness.Services.GetRequiredService<TokenBroker.Credentials.CredentialCache>().Invalidate("payments-cert"); // what either Key Vault event does
        ExpireCachedToken();
        var result = await Get();

        Assert.Equal(v2, result.Token!.SecretVersion);
        Assert.Equal(2, _harness.Endpoint.Count); // no invalid_client on the way
    }

    [Fact]
    public async Task The_certificate_is_read_from_the_vault_once_per_cache_period()
    {
        // An outage is tested against a real fault: Secrets/KeyVaultOutageTests in the integration tests.
        _vault.Add(_v1);
        Accept(_v1);
        for (var i = 0; i < 3; i++)
        {
            await Get();
            ExpireCachedToken();
        }

        ExpireCachedToken();
        await Get();

        Assert.Equal(2, _vault.CertificateReads); // one read, then one more once the cache period (two hours) had passed
    }
}
