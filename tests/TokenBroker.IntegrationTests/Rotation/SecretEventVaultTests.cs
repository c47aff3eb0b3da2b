using TokenBroker.IntegrationTests.Infrastructure.KeyVault;
using TokenBroker.Rotation;

namespace TokenBroker.IntegrationTests.Rotation;

/// <summary>Key Vault events are acted on only when they come from the vault the broker reads.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class SecretEventVaultTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task An_event_from_another_vault_forces_no_refresh_and_one_from_the_configured_vault_does()
    {
        await using var vault = await KeyVaultEndpoint.StartAsync();
        await using var broker = await BrokerInstance.StartAsync(fixture, vault.Adopt(fixture.BrokerSettings()), vault.AddTo);
        Assert.Equal(200, (await broker.RequestTokenAsync("demo")).Status);
        var processor = broker.Services.GetRequiredService<SecretEventProcessor>();
        var before = fixture.Authorization.Requests.Count;

        await processor.HandleAsync(FromVault("someone-elses-vault"), CancellationToken.None);
        var afterForeign = fixture.Authorization.Requests.Count;
        await processor.HandleAsync(FromVault(vault.Uri.Host), CancellationToken.None);
        var afterOwn = fixture.Authorization.Requests.Count;

        Assert.Equal(before, afterForeign);
        Assert.Equal(before + 1, afterOwn);
        foreach (var token in vault.IssuedTokens)
        {
            fixture.Sink.AddSensitive(token);
        }
    }

    private static BinaryData FromVault(string vaultName) =>
        BinaryData.FromString(SecretEvents.NewVersion("demo-secret", "0123456789abcdef0123456789abcdef").ToString()
            .Replace("\"VaultName\": \"vault\"", $"\"VaultName\": \"{vaultName}\"", StringComparison.Ordinal));
}
