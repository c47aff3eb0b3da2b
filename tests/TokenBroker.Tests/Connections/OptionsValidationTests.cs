using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Connections;

public sealed class OptionsValidationTests
{
    private static OptionsValidationException Invalid(Dictionary<string, string?> settings, Microsoft.Extensions.Hosting.IHostEnvironment? environment = null) =>
        Invalid<TokenBrokerOptions>(settings, environment);

    private static OptionsValidationException Invalid<TOptions>(Dictionary<string, string?> settings, Microsoft.Extensions.Hosting.IHostEnvironment? environment = null)
        where TOptions : class
    {
        using var harness = new CoreHarness(settings, environment);
        return Assert.Throws<OptionsValidationException>(() => harness.Services.GetRequiredService<IOptions<TOptions>>().Value);
    }

    [Fact]
    public void A_valid_configuration_starts()
    {
        using var harness = new CoreHarness();
        var registry = harness.Services.GetRequiredService<ConnectionRegistry>();
        Assert.True(registry.TryGet("PAYMENTS", out var connection));
        Assert.Equal(ClientAuthMethod.ClientSecretBasic, connection.AuthMethod);
        Assert.Equal("api.admin api.read api.write", connection.AllowedScopes.Value);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_and_names_its_key()
    {
        var error = Invalid(new()
        {
            ["TokenBroker:Connections:payments:TokenEndpoint"] = "http://login.example.test/token",
            ["TokenBroker:Connections:payments:ClientId"] = "",
            ["TokenBroker:Connections:payments:SecretName"] = "no/slashes",
            ["TokenBroker:Connections:payments:AuthMethod"] = "client_secret_jwt",
            ["TokenBroker:Connections:payments:Scopes"] = "api.read api.delete",
        });

        Assert.Contains(error.Failures, f => f.StartsWith("TokenBroker:Connections:payments:TokenEndpoint must be an absolute https URL", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("TokenBroker:Connections:payments:ClientId is required", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("TokenBroker:Connections:payments:SecretName must be", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("TokenBroker:Connections:payments:AuthMethod 'client_secret_jwt' is not supported", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("AllowedScopes must include every default scope; missing: api.delete", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://127.0.0.1:7080/connect/token")]
    [InlineData("http://localhost:7080/connect/token")]
    [InlineData("http://[::1]:7080/connect/token")]
    public void Plain_http_is_accepted_for_loopback_hosts(string endpoint)
    {
        using var harness = new CoreHarness(new Dictionary<string, string?> { ["TokenBroker:Connections:payments:TokenEndpoint"] = endpoint });
        Assert.NotNull(harness.Services.GetRequiredService<IOptions<TokenBrokerOptions>>().Value);
    }

    [Theory]
    [InlineData("pay/ments")]
    [InlineData("-payments")]
    [InlineData("pay ments")]
    public void Connection_names_that_cannot_travel_in_urls_and_keys_are_refused(string name)
    {
        var error = Invalid(new()
        {
            [$"TokenBroker:Connections:{name}:TokenEndpoint"] = "https://login.example.test/token",
            [$"TokenBroker:Connections:{name}:ClientId"] = "c",
            [$"TokenBroker:Connections:{name}:SecretName"] = "s",
        });
        Assert.Contains(error.Failures, f => f.Contains($"TokenBroker:Connections:{name}: the connection name must be", StringComparison.Ordinal));
    }

    [Fact]
    public void Outside_development_secrets_must_come_from_key_vault()
    {
        var error = Invalid<TokenBroker.Credentials.CredentialSourceOptions>(new() { ["TokenBroker:LocalSecretsFile"] = "secrets.json" }, TestEnvironment.Production);
        Assert.Contains(error.Failures, f => f.StartsWith("TokenBroker:KeyVaultUri is required outside the Development environment", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("TokenBroker:LocalSecretsFile is for local runs only", StringComparison.Ordinal));
    }

    [Fact]
    public void Outside_development_the_token_cache_needs_a_service_uri()
    {
        using var harness = new CoreHarness(new Dictionary<string, string?> { ["TokenBroker:KeyVaultUri"] = "https://vault.vault.azure.net/" }, TestEnvironment.Production);
        var error = Assert.Throws<OptionsValidationException>(() => harness.Services.GetRequiredService<IOptions<TokenBroker.Caching.TokenCacheOptions>>().Value);
        Assert.Contains(error.Failures, f => f.StartsWith("TokenBroker:TokenCache:ServiceUri is required outside the Development environment", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_cache_and_endpoint_settings_name_their_keys()
    {
        using var harness = new CoreHarness(new Dictionary<string, string?>
        {
            ["TokenBroker:TokenCache:TableName"] = "1-bad",
            ["TokenBroker:TokenCache:SafetyMarginRatio"] = "0.9",
            ["TokenBroker:TokenEndpoint:AttemptTimeout"] = "00:01:00",
            ["TokenBroker:TokenEndpoint:TotalTimeout"] = "00:00:30",
        });
        var cache = Assert.Throws<OptionsValidationException>(() => harness.Services.GetRequiredService<IOptions<TokenBroker.Caching.TokenCacheOptions>>().Value);
        Assert.Contains(cache.Failures, f => f.StartsWith("TokenBroker:TokenCache:TableName", StringComparison.Ordinal));
        Assert.Contains(cache.Failures, f => f.StartsWith("TokenBroker:TokenCache:SafetyMarginRatio", StringComparison.Ordinal));
        var endpoint = Assert.Throws<OptionsValidationException>(() => harness.Services.GetRequiredService<IOptions<TokenBroker.Acquisition.TokenEndpointOptions>>().Value);
        Assert.Contains(endpoint.Failures, f => f.StartsWith("TokenBroker:TokenEndpoint:AttemptTimeout must not exceed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_allowed_scopes_means_the_default_scopes_for_validation_access_rules_and_callers_alike(string blank)
    {
        using var harness = new CoreHarness(new Dictionary<string, string?>
        {
            ["TokenBroker:Connections:payments:AllowedScopes"] = blank,
            ["TokenBroker:Access:Rules:0:AppId"] = "orders",
            ["TokenBroker:Access:Rules:0:Connections:payments"] = "api.read",
        });

        Assert.NotNull(harness.Services.GetRequiredService<IOptions<TokenBrokerOptions>>().Value);
        Assert.NotNull(harness.Services.GetRequiredService<IOptions<TokenBroker.Access.AccessOptions>>().Value);
        Assert.True(harness.Services.GetRequiredService<ConnectionRegistry>().TryGet("payments", out var connection));
        Assert.Equal("api.read", connection.AllowedScopes.Value);
    }
}
