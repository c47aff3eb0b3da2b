using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TokenBroker.IntegrationTests.Infrastructure.Faults;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;

namespace TokenBroker.IntegrationTests.Secrets;

/// <summary>
/// Key Vault failing as it really fails, met by the real <c>SecretClient</c> and <c>CertificateClient</c> inside a
/// running broker: the last good secret keeps working, and with none the caller gets 503 with a bounded Retry-After,
/// never a 500.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class KeyVaultOutageTests(IntegrationFixture fixture) : IAsyncLifetime
{
    private KeyVaultEndpoint _vault = null!;

    public static TheoryData<string> Faults => [.. Fault.Matrix.Keys];

    public async Task InitializeAsync() => _vault = await KeyVaultEndpoint.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var token in _vault.IssuedTokens)
        {
            fixture.Sink.AddSensitive(token);
        }

        await _vault.DisposeAsync();
    }

    [Theory]
    [InlineData("refused")]
    [InlineData("never_answers")]
    [InlineData("status_429_retry_after")]
    [InlineData("truncated_body")]
    [InlineData("malformed_body")]
    [InlineData("tls_failure")]
    [InlineData("status_403")]
    public async Task Key_vault_failing_after_a_good_read_serves_new_keys_with_the_last_good_secret(string fault)
    {
        // Two secrets are read on a miss (the client secret and the cache key), each waiting up to 2 s for a vault
        // that hangs before the last good value is used: more than the cold tests' 4 s.
        await using var broker = await BrokerInstance.StartAsync(fixture, Settings(acquisitionTimeout: "00:00:10"), _vault.AddTo);
        Assert.Equal(200, (await broker.RequestTokenAsync("demo")).Status);

        await _vault.SetFaultAsync(Fault.Matrix[fault]);
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // SecretCacheDuration (1 s) passes: the next use asks the vault.
        var cold = await broker.RequestTokenAsync("demo", new { scope = "api.write" });

        Assert.Equal(200, cold.Status);
        Assert.NotNull(cold.AccessToken);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Key_vault_failing_before_any_good_read_answers_503_with_a_bounded_retry_after(string fault)
    {
        await _vault.SetFaultAsync(Fault.Matrix[fault]);
        await using var broker = await StartBrokerAsync();

        var call = await broker.RequestTokenAsync("demo");

        Assert.Equal(503, call.Status);
        Assert.Contains(call.Code, new[] { "secret_unavailable", "upstream_unavailable" });
        Assert.True(int.TryParse(call.RetryAfter, out var seconds) && seconds is > 0 and <= 60, $"Retry-After {call.RetryAfter}");
    }

    [Theory]
    [InlineData("refused")]
    [InlineData("malformed_body")]
    public async Task Key_vault_failing_on_a_certificate_answers_503_not_500(string fault)
    {
        await _vault.SetFaultAsync(Fault.Matrix[fault]);
        var settings = Settings();
        settings["TokenBroker:Connections:signed:TokenEndpoint"] = fixture.Authorization.TokenEndpoint.AbsoluteUri;
        settings["TokenBroker:Connections:signed:ClientId"] = "signed-client";
        settings["TokenBroker:Connections:signed:Scopes"] = "api.read";
        settings["TokenBroker:Connections:signed:AuthMethod"] = "private_key_jwt";
        settings["TokenBroker:Connections:signed:CertificateName"] = "signing-cert";
        await using var broker = await BrokerInstance.StartAsync(fixture, settings, _vault.AddTo);

        var call = await broker.RequestTokenAsync("signed");

        Assert.Equal(503, call.Status);
        Assert.Equal("secret_unavailable", call.Code);
    }

    [Theory]
    [InlineData("refused")]
    [InlineData("status_503_retry_after")]
    [InlineData("tls_failure")]
    public async Task An_operator_presenting_the_admin_key_while_the_vault_is_down_is_told_to_retry_not_refused(string fault)
    {
        const string adminKey = "outage-admin-key-1f3e5d7c9b";
        fixture.Sink.AddSensitive(adminKey);
        await _vault.SetFaultAsync(Fault.Matrix[fault]);
        await using var broker = await StartOperatedBrokerAsync(adminKey);

        using var during = await ListAsync(broker, adminKey);
        var problem = await during.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Equal("application/problem+json", during.Content.Headers.ContentType?.MediaType);
        Assert.Equal("admin_key_unavailable", problem.GetProperty("code").GetString());
        Assert.True(during.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 and <= 60 }, $"Retry-After {during.Headers.RetryAfter}");

        await _vault.SetFaultAsync(null);
        using var after = await ListAsync(broker, adminKey);
        using var wrong = await ListAsync(broker, "not-the-admin-key");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task A_vault_that_answers_the_admin_key_is_missing_refuses_the_key_with_401()
    {
        await using var broker = await StartOperatedBrokerAsync(adminKey: null);

        using var response = await ListAsync(broker, "any-key-at-all");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    // Callers identified by token, not Development mode (which admits everyone to the operations endpoints).
    private Task<BrokerInstance> StartOperatedBrokerAsync(string? adminKey)
    {
        var settings = fixture.CallerIdentitySettings();
        settings["TokenBroker:Secrets:broker-admin-key"] = adminKey;
        settings["TokenBroker:SecretCacheDuration"] = "00:00:01";
        return BrokerInstance.StartAsync(fixture, _vault.Adopt(settings), _vault.AddTo);
    }

    private static async Task<HttpResponseMessage> ListAsync(BrokerInstance broker, string adminKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/ops/connections");
        request.Headers.Add("x-tokenbroker-admin-key", adminKey);
        return await broker.Client.SendAsync(request);
    }

    private Dictionary<string, string?> Settings(string acquisitionTimeout = "00:00:04")
    {
        var settings = _vault.Adopt(fixture.BrokerSettings());
        settings["TokenBroker:SecretCacheDuration"] = "00:00:01";
        settings["TokenBroker:AcquisitionTimeout"] = acquisitionTimeout;
        return settings;
    }

    private Task<BrokerInstance> StartBrokerAsync() => BrokerInstance.StartAsync(fixture, Settings(), _vault.AddTo);
}
