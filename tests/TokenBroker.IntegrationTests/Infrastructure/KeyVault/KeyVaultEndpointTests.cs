using Azure;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using TokenBroker.IntegrationTests.Infrastructure.Faults;
using TokenBroker.Secrets;
using TokenBroker.Tests.Support;

namespace TokenBroker.IntegrationTests.Infrastructure.KeyVault;

/// <summary>The test vault speaks enough of Key Vault for the real clients, challenge and paging included.</summary>
public sealed class KeyVaultEndpointTests : IAsyncLifetime
{
    private KeyVaultEndpoint _vault = null!;

    public async Task InitializeAsync() => _vault = await KeyVaultEndpoint.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task Secret_client_reads_latest_and_older_versions_after_the_bearer_challenge()
    {
        var first = _vault.SetSecret("app-secret", "first-value", new KeyVaultAttributes(Tags: new Dictionary<string, string> { ["owner"] = "ops" }));
        var expires = DateTimeOffset.UtcNow.AddDays(30);
        var second = _vault.SetSecret("app-secret", "second-value", new KeyVaultAttributes(ExpiresOn: expires));
        _vault.PageSize = 1;
        var client = _vault.CreateSecretClient();

        KeyVaultSecret latest = await client.GetSecretAsync("app-secret");
        KeyVaultSecret older = await client.GetSecretAsync("app-secret", first);
        var versions = new List<SecretProperties>();
        await foreach (var properties in client.GetPropertiesOfSecretVersionsAsync("app-secret"))
        {
            versions.Add(properties);
        }

        Assert.Equal("second-value", latest.Value);
        Assert.Equal(second, latest.Properties.Version);
        Assert.Equal(expires.ToUnixTimeSeconds(), latest.Properties.ExpiresOn?.ToUnixTimeSeconds());
        Assert.Equal("first-value", older.Value);
        Assert.Equal("ops", older.Properties.Tags["owner"]);
        Assert.Equal([first, second], versions.Select(v => v.Version));
        Assert.All(versions, v => Assert.True(v.Enabled));

        // The first request carried no token and was answered with the challenge, as Key Vault does.
        Assert.StartsWith("GET /secrets/app-secret", _vault.RequestLog[0], StringComparison.Ordinal);
        Assert.EndsWith(" 401", _vault.RequestLog[0], StringComparison.Ordinal);
        Assert.DoesNotContain(_vault.RequestLog.Skip(1), line => line.EndsWith(" 401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_disabled_version_is_listed_as_disabled_and_its_value_is_refused()
    {
        var version = _vault.SetSecret("rotated", "old-value");
        _vault.SetAttributes("rotated", version, new KeyVaultAttributes(Enabled: false));
        var client = _vault.CreateSecretClient();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("rotated"));
        var listed = await client.GetPropertiesOfSecretVersionsAsync("rotated").SingleAsync();

        Assert.Equal(403, error.Status);
        Assert.False(listed.Enabled);
    }

    [Fact]
    public async Task Set_secret_from_the_real_client_stores_a_new_latest_version_with_content_type_tags_and_dates()
    {
        var first = _vault.SetSecret("rotating", "old-value");
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-1);
        var expires = DateTimeOffset.UtcNow.AddDays(90);
        var client = _vault.CreateSecretClient();
        var secret = new KeyVaultSecret("rotating", "new-value");
        secret.Properties.ContentType = "text/plain";
        secret.Properties.NotBefore = notBefore;
        secret.Properties.ExpiresOn = expires;
        secret.Properties.Tags["graph-key-id"] = "f0b0b335-1d71-4883-8f98-567911bfdca6";

        KeyVaultSecret stored = await client.SetSecretAsync(secret);
        KeyVaultSecret latest = await client.GetSecretAsync("rotating");
        var versions = await client.GetPropertiesOfSecretVersionsAsync("rotating").Select(v => v.Version).ToListAsync();

        Assert.Equal("new-value", stored.Value);
        Assert.NotEqual(first, stored.Properties.Version);
        Assert.Equal(stored.Properties.Version, latest.Properties.Version);
        Assert.Equal("new-value", latest.Value);
        Assert.Equal("text/plain", latest.Properties.ContentType);
        Assert.Equal(notBefore.ToUnixTimeSeconds(), latest.Properties.NotBefore?.ToUnixTimeSeconds());
        Assert.Equal(expires.ToUnixTimeSeconds(), latest.Properties.ExpiresOn?.ToUnixTimeSeconds());
        Assert.Equal("f0b0b335-1d71-4883-8f98-567911bfdca6", latest.Properties.Tags["graph-key-id"]);
        Assert.True(latest.Properties.Enabled);
        Assert.Equal([first, stored.Properties.Version], versions);
        Assert.Contains("PUT /secrets/rotating 200", _vault.RequestLog);
    }

    [Fact]
    public async Task Update_secret_properties_from_the_real_client_disables_one_version_and_keeps_the_rest()
    {
        var expires = DateTimeOffset.UtcNow.AddDays(10);
        var old = _vault.SetSecret("rotating", "old-value", new KeyVaultAttributes(ExpiresOn: expires, Tags: new Dictionary<string, string> { ["graph-key-id"] = "old-key" }), contentType: "text/plain");
        _vault.SetSecret("rotating", "new-value");
        var client = _vault.CreateSecretClient();
        var properties = await client.GetPropertiesOfSecretVersionsAsync("rotating").SingleAsync(v => v.Version == old);

        properties.Enabled = false;
        SecretProperties disabled = await client.UpdateSecretPropertiesAsync(properties);
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("rotating", old));
        KeyVaultSecret latest = await client.GetSecretAsync("rotating");

        Assert.False(disabled.Enabled);
        Assert.Equal(old, disabled.Version);
        Assert.Equal(expires.ToUnixTimeSeconds(), disabled.ExpiresOn?.ToUnixTimeSeconds());
        Assert.Equal("old-key", disabled.Tags["graph-key-id"]);
        Assert.Equal("text/plain", disabled.ContentType);
        Assert.Equal(403, refused.Status);
        Assert.Equal("new-value", latest.Value);
        Assert.Contains($"PATCH /secrets/rotating/{old} 200", _vault.RequestLog);

        // Enabling it again brings its value back: a disabled version is kept, not deleted.
        disabled.Enabled = true;
        await client.UpdateSecretPropertiesAsync(disabled);
        KeyVaultSecret restored = await client.GetSecretAsync("rotating", old);
        Assert.Equal("old-value", restored.Value);
    }

    [Fact]
    public async Task Updating_a_version_that_does_not_exist_is_a_404_and_a_bad_name_is_a_400_from_the_real_client()
    {
        _vault.SetSecret("rotating", "value");
        var client = _vault.CreateSecretClient();
        var properties = await client.GetPropertiesOfSecretVersionsAsync("rotating").SingleAsync();
        var missing = new SecretProperties(new Uri(_vault.Uri, "secrets/rotating/00000000000000000000000000000000")) { Enabled = false };

        var notFound = await Assert.ThrowsAsync<RequestFailedException>(() => client.UpdateSecretPropertiesAsync(missing));
        var badName = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("not_a_vault_name", "value"));

        Assert.Equal(404, notFound.Status);
        Assert.Equal("SecretNotFound", notFound.ErrorCode);
        Assert.Equal(400, badName.Status);
        Assert.Equal("BadParameter", badName.ErrorCode);
        Assert.True(properties.Enabled);
    }

    [Fact]
    public async Task Certificate_client_reads_the_latest_certificate_and_its_versions_and_the_key_comes_from_the_secret()
    {
        using var oldCertificate = TestCertificates.Create("old");
        using var newCertificate = TestCertificates.Create("new");
        var oldVersion = _vault.SetCertificate("signing", oldCertificate);
        var newVersion = _vault.SetCertificate("signing", newCertificate);
        _vault.PageSize = 1;
        var certificates = _vault.CreateCertificateClient();
        var secrets = _vault.CreateSecretClient();

        KeyVaultCertificateWithPolicy latest = await certificates.GetCertificateAsync("signing");
        var versions = new List<CertificateProperties>();
        await foreach (var properties in certificates.GetPropertiesOfCertificateVersionsAsync("signing"))
        {
            versions.Add(properties);
        }

        KeyVaultSecret key = await secrets.GetSecretAsync("signing", latest.Properties.Version);

        Assert.Equal(newVersion, latest.Properties.Version);
        Assert.Equal(newCertificate.RawData, latest.Cer);
        Assert.Equal([oldVersion, newVersion], versions.Select(v => v.Version));
        Assert.Equal("application/x-pkcs12", key.Properties.ContentType);
        using var loaded = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(key.Value), null);
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(newCertificate.Thumbprint, loaded.Thumbprint);
    }

    [Fact]
    public async Task A_missing_secret_is_a_404_from_the_real_client()
    {
        var client = _vault.CreateSecretClient();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("nope"));

        Assert.Equal(404, error.Status);
        Assert.Equal("SecretNotFound", error.ErrorCode);
    }

    [Theory]
    [InlineData("refused")]
    [InlineData("never_answers")]
    [InlineData("status_500")]
    [InlineData("status_429_retry_after")]
    [InlineData("truncated_body")]
    [InlineData("malformed_body")]
    [InlineData("tls_failure")]
    public async Task Every_fault_reaches_the_real_client_and_clears_at_run_time(string fault)
    {
        _vault.SetSecret("faulted", "value");
        var client = _vault.CreateSecretClient(QuickOptions());
        KeyVaultSecret before = await client.GetSecretAsync("faulted");

        await _vault.SetFaultAsync(Fault.Matrix[fault]);
        var error = await Record.ExceptionAsync(() => client.GetSecretAsync("faulted"));
        await _vault.SetFaultAsync(null);
        KeyVaultSecret after = await client.GetSecretAsync("faulted");

        Assert.NotNull(error);
        Assert.Equal(before.Value, after.Value);
    }

    [Fact]
    public async Task Network_faults_surface_as_AggregateException_not_RequestFailedException()
    {
        // Why the broker must catch more than RequestFailedException: after its retries, Azure.Core throws the
        // network failures of every attempt together.
        _vault.SetSecret("faulted", "value");
        var client = _vault.CreateSecretClient(QuickOptions());
        await _vault.SetFaultAsync(Fault.Refused);

        var error = await Record.ExceptionAsync(() => client.GetSecretAsync("faulted"));

        Assert.IsType<AggregateException>(error);
    }

    [Fact]
    public async Task A_slow_vault_answers_late_but_answers()
    {
        _vault.SetSecret("slow", "value");
        var client = _vault.CreateSecretClient();
        await _vault.SetFaultAsync(Fault.Slow(TimeSpan.FromMilliseconds(300)));

        KeyVaultSecret secret = await client.GetSecretAsync("slow");

        Assert.Equal("value", secret.Value);
    }

    private SecretClientOptions QuickOptions()
    {
        var options = KeyVaultClientSettings.Apply(new SecretClientOptions(), _vault.Uri);
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(2);
        return options;
    }
}
