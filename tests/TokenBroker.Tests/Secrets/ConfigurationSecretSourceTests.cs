using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Credentials;
using TokenBroker.Secrets;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Secrets;

public sealed class ConfigurationSecretSourceTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"tokenbroker-secrets-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task Secrets_come_from_configuration_with_a_digest_as_version()
    {
        using var harness = new CoreHarness();
        var source = harness.Services.GetRequiredService<CredentialCache>();

        var secret = await source.GetSecretAsync("payments-secret", CancellationToken.None);

        Assert.Equal(CoreHarness.Secret, secret.Value);
        Assert.Matches("^local-[0-9a-f]{12}$", secret.Version);
    }

    [Fact]
    public async Task A_change_to_the_local_secrets_file_is_picked_up_without_a_restart()
    {
        await File.WriteAllTextAsync(_file, """{"payments-secret":"first-value"}""");
        using var harness = new CoreHarness(new Dictionary<string, string?> { ["TokenBroker:LocalSecretsFile"] = _file });
        var source = harness.Services.GetRequiredService<CredentialCache>();
        var first = await source.GetSecretAsync("payments-secret", CancellationToken.None);

        await File.WriteAllTextAsync(_file, """{"payments-secret":"second-value"}""");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        ClientSecret second;
        do
        {
            await Task.Delay(50);
            second = await source.GetSecretAsync("payments-secret", CancellationToken.None);
        }
        while (second.Value == "first-value" && DateTime.UtcNow < deadline);

        Assert.Equal("first-value", first.Value);
        Assert.Equal("second-value", second.Value);
        Assert.NotEqual(first.Version, second.Version);
    }

    [Fact]
    public async Task A_missing_secret_names_where_it_was_looked_for()
    {
        using var harness = new CoreHarness();
        var source = harness.Services.GetRequiredService<CredentialCache>();

        var error = await Assert.ThrowsAsync<SecretUnavailableException>(() => source.GetSecretAsync("other", CancellationToken.None).AsTask());

        Assert.Contains("TokenBroker:Secrets:other", error.Message, StringComparison.Ordinal);
    }
}
