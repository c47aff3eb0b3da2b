using Azure.Core;
using Azure.Identity;
using TokenBroker.Identity;

namespace TokenBroker.Tests.Identity;

public sealed class LazyTokenCredentialTests
{
    private static readonly TokenRequestContext Vault = new(["https://vault.azure.net/.default"]);

    [Fact]
    public async Task The_credential_is_built_on_first_use_and_once_for_concurrent_callers()
    {
        var built = 0;
        using var gate = new ManualResetEventSlim();
        var credential = new LazyTokenCredential(() =>
        {
            Interlocked.Increment(ref built);

            // Held until every caller has asked, so they all meet the credential while it is being built.
            gate.Wait(TimeSpan.FromSeconds(10));
            return new CountingCredential();
        });
        Assert.False(credential.IsBuilt);

        var callers = Enumerable.Range(0, 8).Select(_ => Task.Run(() => credential.GetTokenAsync(Vault, CancellationToken.None).AsTask())).ToArray();
        await Task.Delay(50);
        gate.Set();
        var tokens = await Task.WhenAll(callers);

        Assert.Equal(1, built);
        Assert.True(credential.IsBuilt);
        Assert.All(tokens, token => Assert.Equal("token-for-https://vault.azure.net/.default", token.Token));
        Assert.Equal("token-for-https://vault.azure.net/.default", credential.GetToken(Vault, CancellationToken.None).Token);
        Assert.Equal(1, built);
    }

    [Fact]
    public async Task A_credential_that_cannot_be_built_fails_every_use_as_unavailable_and_is_not_built_again()
    {
        var attempts = 0;
        var credential = new LazyTokenCredential(() =>
        {
            attempts++;
            throw new InvalidOperationException("Invalid value for AZURE_TOKEN_CREDENTIALS");
        });

        var first = await Assert.ThrowsAsync<CredentialUnavailableException>(() => credential.GetTokenAsync(Vault, CancellationToken.None).AsTask());
        var second = Assert.Throws<CredentialUnavailableException>(() => credential.GetToken(Vault, CancellationToken.None));

        Assert.IsType<InvalidOperationException>(first.InnerException);
        Assert.Same(first, second);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task The_built_credentials_failures_reach_the_caller_unchanged()
    {
        var refusal = new AuthenticationFailedException("ManagedIdentityCredential authentication failed");
        var credential = new LazyTokenCredential(() => new CountingCredential(refusal));

        var thrown = await Assert.ThrowsAsync<AuthenticationFailedException>(() => credential.GetTokenAsync(Vault, CancellationToken.None).AsTask());

        Assert.Same(refusal, thrown);
    }

    private sealed class CountingCredential(Exception? failure = null) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            failure is null ? new AccessToken("token-for-" + requestContext.Scopes[0], DateTimeOffset.MaxValue) : throw failure;

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
