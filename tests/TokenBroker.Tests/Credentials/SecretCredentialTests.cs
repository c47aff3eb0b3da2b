using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Secrets;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Credentials;

public sealed class SecretCredentialTests : IDisposable
{
    private readonly CoreHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private CredentialServices Services => _harness.Services.GetRequiredService<CredentialServices>();

    private Connection Payments => _harness.Services.GetRequiredService<ConnectionRegistry>().TryGet("payments", out var connection) ? connection : throw new InvalidOperationException();

    [Fact]
    public void Basic_sends_the_secret_in_the_authorization_header_and_post_in_the_body()
    {
        var secret = new ClientSecret("s3cret value/4f9a", "v1");

        foreach (var (credential, style) in new[] { (SecretCredential.Basic("payments-secret"), ClientCredentialStyle.AuthorizationHeader), (SecretCredential.Post("payments-secret"), ClientCredentialStyle.PostBody) })
        {
            using var request = new ClientCredentialsTokenRequest();
            var presented = new List<string>();

            credential.Apply(request, Payments, secret, Services, presented);

            Assert.Equal(style, request.ClientCredentialStyle);
            Assert.Equal("s3cret value/4f9a", request.ClientSecret);

            // Every form the secret travels in is remembered, so an echo of it in an error_description is cut out.
            Assert.Contains("s3cret value/4f9a", presented);
            Assert.Contains(Uri.EscapeDataString("s3cret value/4f9a"), presented);
        }
    }

    [Fact]
    public void A_secret_is_a_rotatable_key_vault_secret_found_by_name_in_any_case()
    {
        var credential = SecretCredential.Post("payments-secret");

        Assert.Equal(ClientAuthMethod.ClientSecretPost, credential.Method);
        Assert.Equal("secret", credential.Kind);
        Assert.Equal("payments-secret", credential.Name);
        Assert.True(credential.CanRotate);
        Assert.Equal(VaultObject.Secret("payments-secret"), credential.VaultObject);
        Assert.True(credential.IsStoredAs("PAYMENTS-SECRET"));
        Assert.False(credential.IsStoredAs("payments-secret-2"));
    }

    [Fact]
    public async Task It_is_read_through_the_versioned_cache_where_a_pinned_version_wins_until_a_reload()
    {
        var credential = SecretCredential.Basic("payments-secret");
        var older = new ClientSecret("older-secret-value", "v0");

        var latest = Assert.IsType<ClientSecret>(await credential.GetAsync(Services, CancellationToken.None));
        credential.Pin(Services, older);
        var pinned = await credential.GetAsync(Services, CancellationToken.None);
        var reloaded = await credential.ReloadAsync(Services, CancellationToken.None);

        Assert.Equal(CoreHarness.Secret, latest.Value);
        Assert.Same(older, pinned);
        Assert.Equal(latest.Version, reloaded.Version);
        Assert.Same(reloaded, await credential.GetAsync(Services, CancellationToken.None));
    }

    [Fact]
    public void Its_options_need_a_key_vault_secret_name()
    {
        var missing = new List<string>();
        var malformed = new List<string>();

        SecretCredential.Validate("TokenBroker:Connections:payments", new ConnectionOptions(), missing);
        SecretCredential.Validate("TokenBroker:Connections:payments", new ConnectionOptions { SecretName = "no/slashes" }, malformed);

        Assert.Equal(["TokenBroker:Connections:payments:SecretName is required."], missing);
        Assert.Equal(["TokenBroker:Connections:payments:SecretName must be a Key Vault secret name: 1 to 127 characters, letters, digits and '-'."], malformed);
    }
}
