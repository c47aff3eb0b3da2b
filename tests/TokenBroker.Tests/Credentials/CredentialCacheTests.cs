using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Credentials;
using TokenBroker.Secrets;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Credentials;

public sealed class CredentialCacheTests : IDisposable
{
    private readonly CoreHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private CredentialCache Cache => _harness.Services.GetRequiredService<CredentialCache>();

    [Fact]
    public async Task Invalidating_a_name_drops_what_is_kept_under_it_in_any_case_and_is_counted()
    {
        var pinned = new ClientSecret("older-secret-value", "v0");
        await Cache.GetAsync(VaultObject.Secret("payments-secret"), CancellationToken.None);
        Cache.Pin(VaultObject.Secret("payments-secret"), pinned);
        Assert.Same(pinned, await Cache.GetAsync(VaultObject.Secret("PAYMENTS-SECRET"), CancellationToken.None));

        Cache.Invalidate("Payments-Secret");

        var current = Assert.IsType<ClientSecret>(await Cache.GetAsync(VaultObject.Secret("payments-secret"), CancellationToken.None));
        Assert.Equal(CoreHarness.Secret, current.Value);
        Assert.Equal(1, Cache.InvalidationsOf("payments-secret"));
        Assert.Equal(0, Cache.InvalidationsOf("other-secret"));
    }

    [Fact]
    public async Task A_kind_without_a_source_is_a_programming_error_not_an_outage()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Cache.GetAsync(new VaultObject("key", "signing-key"), CancellationToken.None).AsTask());

        Assert.Contains("keys", error.Message, StringComparison.Ordinal);
    }
}
