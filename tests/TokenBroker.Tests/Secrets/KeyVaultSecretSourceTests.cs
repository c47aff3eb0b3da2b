using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using TokenBroker.Secrets;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Secrets;

public sealed class KeyVaultSecretSourceTests
{
    private static KeyVaultSecret Secret(string value, string version) =>
        SecretModelFactory.KeyVaultSecret(SecretModelFactory.SecretProperties(new Uri($"https://vault.vault.azure.net/secrets/payments-secret/{version}"), name: "payments-secret", version: version), value);

    [Fact]
    public async Task The_latest_version_is_read_with_its_version_id()
    {
        var client = new Mock<SecretClient>();
        client.Setup(c => c.GetSecretAsync("payments-secret", null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(Secret("kv-value", "abc123"), Mock.Of<Response>()));

        var secret = (ClientSecret)await new KeyVaultSecretSource(client.Object, TimeProvider.System).GetLatestAsync("payments-secret", CancellationToken.None);

        Assert.Equal("kv-value", secret.Value);
        Assert.Equal("abc123", secret.Version);
        Assert.DoesNotContain("kv-value", secret.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_key_vault_configured_the_broker_reads_the_secret_once_per_cache_period()
    {
        var client = new Mock<SecretClient>();
        client.Setup(c => c.GetSecretAsync("payments-secret", null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(Secret("kv-value", "v1"), Mock.Of<Response>()));
        client.Setup(c => c.GetSecretAsync("token-cache-key", null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(Secret(Convert.ToBase64String(new byte[32]), "k1"), Mock.Of<Response>()));
        using var harness = new CoreHarness(new Dictionary<string, string?>
        {
            ["TokenBroker:KeyVaultUri"] = "https://vault.vault.azure.net/",
            ["TokenBroker:SecretCacheDuration"] = "00:10:00",
            ["TokenBroker:TokenCache:SafetyMargin"] = "00:00:00",
            ["TokenBroker:TokenCache:SafetyMarginRatio"] = "0",
        }, null, client.Object);
        harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(System.Net.HttpStatusCode.OK, """{"access_token":"t","token_type":"Bearer","expires_in":60}"""));

        for (var i = 0; i < 5; i++)
        {
            Assert.True((await harness.Broker.GetTokenAsync("payments", null, CancellationToken.None)).Succeeded);
            harness.Time.Advance(TimeSpan.FromSeconds(61));
        }

        Assert.Equal(5, harness.Endpoint.Count);
        client.Verify(c => c.GetSecretAsync("payments-secret", null, It.IsAny<CancellationToken>()), Times.Once);

        harness.Time.Advance(TimeSpan.FromMinutes(10));
        await harness.Broker.GetTokenAsync("payments", null, CancellationToken.None);
        client.Verify(c => c.GetSecretAsync("payments-secret", null, It.IsAny<CancellationToken>()), Times.Exactly(2));
    }
}
