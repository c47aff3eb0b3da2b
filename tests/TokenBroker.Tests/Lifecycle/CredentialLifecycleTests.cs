using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Lifecycle;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Lifecycle;

public sealed class CredentialLifecycleTests
{
    private const string Key = "TokenBroker:Connections:payments";

    private static Connection Payments(Dictionary<string, string?> settings)
    {
        using var harness = new CoreHarness(settings);
        Assert.True(harness.Services.GetRequiredService<ConnectionRegistry>().TryGet("payments", out var connection));
        return connection;
    }

    private static List<string> Failures(Dictionary<string, string?> settings)
    {
        using var harness = new CoreHarness(settings);
        return Assert.Throws<OptionsValidationException>(() => harness.Services.GetRequiredService<IOptions<TokenBrokerOptions>>().Value).Failures.ToList();
    }

    [Fact]
    public void Unset_settings_mean_manual_rotation_with_the_documented_defaults()
    {
        var lifecycle = Payments([]).Lifecycle;

        Assert.Equal(new CredentialLifecycle(CredentialDirectory.None, RotationMode.Manual, TimeSpan.FromDays(180), TimeSpan.FromDays(30), TimeSpan.FromDays(1)), lifecycle);
        Assert.Equal(CredentialLifecycle.Default, lifecycle);
        Assert.False(lifecycle.IsAutomatic);
    }

    [Theory]
    [InlineData("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")]
    [InlineData("https://LOGIN.microsoftonline.us/00000000-0000-0000-0000-000000000001/oauth2/v2.0/token")]
    [InlineData("https://login.partner.microsoftonline.cn/contoso/oauth2/v2.0/token")]
    public void A_token_endpoint_on_an_Entra_login_host_means_the_Entra_directory(string endpoint) =>
        Assert.Equal(CredentialDirectory.EntraId, Payments(new() { [$"{Key}:TokenEndpoint"] = endpoint }).Lifecycle.Directory);

    [Theory]
    [InlineData("https://login.microsoftonline.com.example.test/token")]
    [InlineData("http://127.0.0.1:7080/connect/token")]
    public void Any_other_host_means_no_directory_unless_configured(string endpoint)
    {
        Assert.Equal(CredentialDirectory.None, Payments(new() { [$"{Key}:TokenEndpoint"] = endpoint }).Lifecycle.Directory);
        Assert.Equal(
            CredentialDirectory.EntraId,
            Payments(new() { [$"{Key}:TokenEndpoint"] = endpoint, [$"{Key}:Lifecycle:Directory"] = "entraid" }).Lifecycle.Directory);
    }

    [Fact]
    public void Automatic_rotation_binds_every_setting()
    {
        var lifecycle = Payments(new()
        {
            [$"{Key}:Lifecycle:Directory"] = "EntraId",
            [$"{Key}:Lifecycle:Rotation"] = "Automatic",
            [$"{Key}:Lifecycle:Lifetime"] = "90.00:00:00",
            [$"{Key}:Lifecycle:RenewBefore"] = "14.00:00:00",
            [$"{Key}:Lifecycle:Grace"] = "02:00:00",
        }).Lifecycle;

        Assert.Equal(new CredentialLifecycle(CredentialDirectory.EntraId, RotationMode.Automatic, TimeSpan.FromDays(90), TimeSpan.FromDays(14), TimeSpan.FromHours(2)), lifecycle);
        Assert.True(lifecycle.IsAutomatic);
    }

    [Fact]
    public void Automatic_rotation_without_a_directory_is_refused_with_its_key()
    {
        var failures = Failures(new() { [$"{Key}:Lifecycle:Rotation"] = "Automatic" });

        Assert.Contains(failures, f => f.StartsWith($"{Key}:Lifecycle:Rotation Automatic needs {Key}:Lifecycle:Directory EntraId", StringComparison.Ordinal));
    }

    [Fact]
    public void Automatic_rotation_of_a_federated_connection_is_refused()
    {
        var failures = Failures(new()
        {
            [$"{Key}:AuthMethod"] = "managed_identity_federation",
            [$"{Key}:SecretName"] = null,
            [$"{Key}:Lifecycle:Directory"] = "EntraId",
            [$"{Key}:Lifecycle:Rotation"] = "Automatic",
        });

        Assert.Contains(failures, f => f.StartsWith($"{Key}:Lifecycle:Rotation Automatic does not apply to AuthMethod managed_identity_federation", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Directory", "AzureAD", "Directory 'AzureAD' is not supported")]
    [InlineData("Directory", "1", "Directory '1' is not supported")]
    [InlineData("Rotation", "Sometimes", "Rotation 'Sometimes' is not supported")]
    [InlineData("Lifetime", "-1.00:00:00", "Lifetime must be positive")]
    [InlineData("RenewBefore", "200.00:00:00", "RenewBefore must be positive and shorter than Lifetime")]
    [InlineData("RenewBefore", "00:00:00", "RenewBefore must be positive and shorter than Lifetime")]
    [InlineData("Grace", "31.00:00:00", "Grace must be zero or more and at most RenewBefore")]
    [InlineData("Grace", "-00:00:01", "Grace must be zero or more and at most RenewBefore")]
    public void A_bad_setting_names_its_full_key(string setting, string value, string message)
    {
        var failures = Failures(new() { [$"{Key}:Lifecycle:{setting}"] = value });

        Assert.Contains(failures, f => f.StartsWith($"{Key}:Lifecycle:{message}", StringComparison.Ordinal));
    }
}
