using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Secrets;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Acquisition;

/// <summary>The rotation logic against a vault (Moq over SecretClient) and an authorization server that accepts a set of secrets.</summary>
public sealed class SecretRotationTests : IDisposable
{
    private readonly VaultMock _vault = new("payments-secret");
    private readonly HashSet<string> _accepted = new(StringComparer.Ordinal);
    private readonly CoreHarness _harness;

    public SecretRotationTests()
    {
        _harness = new CoreHarness(
            new Dictionary<string, string?>
            {
                ["TokenBroker:KeyVaultUri"] = "https://vault.vault.azure.net/",
                ["TokenBroker:Refresh:JitterRatio"] = "0",
                ["TokenBroker:SecretCacheDuration"] = "02:00:00",
            },
            null,
            _vault.Client.Object);
        _harness.Endpoint.Respond = request =>
        {
            var presented = Encoding.UTF8.GetString(Convert.FromBase64String(request.AuthParameter!)).Split(':', 2)[1];
            lock (_accepted)
            {
                return Task.FromResult(_accepted.Contains(presented)
                    ? StubTokenEndpoint.Json(HttpStatusCode.OK, $$"""{"access_token":"token-for-{{presented}}-{{Guid.NewGuid():N}}","token_type":"Bearer","expires_in":3600}""")
                    : StubTokenEndpoint.Json(HttpStatusCode.Unauthorized, """{"error":"invalid_client","error_description":"bad secret"}"""));
            }
        };
    }

    public void Dispose() => _harness.Dispose();

    private void Accept(params string[] secrets)
    {
        lock (_accepted)
        {
            _accepted.Clear();
            _accepted.UnionWith(secrets);
        }
    }

    private ValueTask<TokenResult> Get() => _harness.Broker.GetTokenAsync("payments", null, CancellationToken.None);

    private void ExpireCachedToken() => _harness.Time.Advance(TimeSpan.FromMinutes(56));

    [Fact]
    public async Task After_the_old_secret_is_revoked_invalid_client_makes_the_broker_reread_the_vault_and_succeed()
    {
        var v1 = _vault.Add("old-secret");
        Accept("old-secret");
        Assert.Equal(v1, (await Get()).Token!.SecretVersion);

        var v2 = _vault.Add("new-secret");
        Accept("new-secret");
        ExpireCachedToken();
        var result = await Get();

        Assert.True(result.Succeeded);
        Assert.Equal(v2, result.Token.SecretVersion);
        Assert.Equal(3, _harness.Endpoint.Count); // the first token, the refused old secret, the new one
    }

    [Fact]
    public async Task During_the_overlap_a_previous_enabled_version_is_used_when_the_latest_is_not_registered_yet()
    {
        var v1 = _vault.Add("old-secret");
        Accept("old-secret");
        _vault.Add("new-secret-not-registered-yet");

        var first = await Get();
        ExpireCachedToken();
        var second = await Get();

        Assert.Equal(v1, first.Token!.SecretVersion);
        Assert.Equal(v1, second.Token!.SecretVersion);

        // The working version is pinned: the next fetch does not try the refused one first.
        var before = _harness.Endpoint.Count;
        ExpireCachedToken();
        await Get();
        Assert.Equal(before + 1, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_disabled_or_expired_previous_version_is_never_tried()
    {
        var v1 = _vault.Add("old-secret");
        Accept("old-secret");
        _vault.Add("new-secret");
        _vault.Disable(v1);

        var result = await Get();

        Assert.Equal(TokenErrorKind.UpstreamRejected, result.Error!.Kind);
        Assert.Equal(1, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_connection_whose_every_secret_is_refused_is_held_so_the_server_is_not_hammered()
    {
        _vault.Add("old-secret");
        _vault.Add("new-secret");
        Accept("something-else");

        var first = await Get();
        var afterFirst = _harness.Endpoint.Count;
        var second = await Get();
        var afterSecond = _harness.Endpoint.Count;
        _harness.Time.Advance(TimeSpan.FromSeconds(31));
        await Get();

        Assert.Equal("invalid_client", first.Error!.UpstreamError);
        Assert.Equal(2, afterFirst); // the latest version, then the previous one
        Assert.Equal(TokenErrorKind.UpstreamRejected, second.Error!.Kind);
        Assert.InRange(second.Error.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Assert.Equal(afterFirst, afterSecond);
        Assert.Equal(afterFirst + 2, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task The_secret_is_read_from_the_vault_once_per_cache_period_not_per_token()
    {
        _vault.Add("old-secret");
        Accept("old-secret");

        for (var i = 0; i < 5; i++)
        {
            await Get();
            ExpireCachedToken();
        }

        Assert.Equal(5, _harness.Endpoint.Count);
        Assert.Equal(2, _vault.Reads); // at 0 and at 168 minutes: the cache keeps a secret two hours
        Assert.NotNull(_harness.Services.GetRequiredService<TokenBroker.Credentials.CredentialCache>());
    }
}
