using System.Collections.Concurrent;
using Azure.Core;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Federation;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Credentials;

public sealed class FederatedCredentialTests : IDisposable
{
    private readonly FakeIdentity _identity = new();
    private readonly CoreHarness _harness;

    public FederatedCredentialTests() =>
        _harness = new CoreHarness(null, null, null, services => services.AddSingleton<TokenCredential>(_identity));

    public void Dispose() => _harness.Dispose();

    private CredentialServices Services => _harness.Services.GetRequiredService<CredentialServices>();

    [Fact]
    public void Nothing_is_stored_and_nothing_rotates()
    {
        var credential = FederatedCredential.Create(new ConnectionOptions());

        Assert.Equal(ClientAuthMethod.ManagedIdentityFederation, credential.Method);
        Assert.Equal("federated credential", credential.Kind);
        Assert.Equal("api://AzureADTokenExchange", credential.Name);
        Assert.False(credential.CanRotate);
        Assert.Null(credential.VaultObject);
        Assert.False(credential.IsStoredAs("api://AzureADTokenExchange"));
        Assert.Contains("federated identity credential", credential.RefusalHint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_use_asks_the_managed_identity_for_the_audience_and_there_are_no_previous_versions()
    {
        var credential = FederatedCredential.Create(new ConnectionOptions { FederationAudience = " api://AzureADTokenExchangeUSGov " });

        var first = Assert.IsType<FederatedAssertion>(await credential.GetAsync(Services, CancellationToken.None));
        var reloaded = Assert.IsType<FederatedAssertion>(await credential.ReloadAsync(Services, CancellationToken.None));
        var previous = await credential.GetPreviousVersionsAsync(Services, first.Version, CancellationToken.None);

        Assert.Equal(new[] { "api://AzureADTokenExchangeUSGov/.default", "api://AzureADTokenExchangeUSGov/.default" }, _identity.Requests.Select(r => Assert.Single(r)));
        Assert.Equal(new[] { first.Value, reloaded.Value }, _identity.Issued);
        Assert.Empty(previous);
    }

    [Fact]
    public void The_managed_identity_token_is_the_client_assertion()
    {
        var credential = FederatedCredential.Create(new ConnectionOptions());
        var connection = _harness.Services.GetRequiredService<ConnectionRegistry>().TryGet("payments", out var found) ? found : throw new InvalidOperationException();
        using var request = new ClientCredentialsTokenRequest();
        var presented = new List<string>();

        credential.Apply(request, connection, new FederatedAssertion("mi-token-5e2c"), Services, presented);

        Assert.Equal(ClientCredentialStyle.PostBody, request.ClientCredentialStyle);
        Assert.Equal(OidcConstants.ClientAssertionTypes.JwtBearer, request.ClientAssertion.Type);
        Assert.Equal("mi-token-5e2c", request.ClientAssertion.Value);
        Assert.Null(request.ClientSecret);
        Assert.Equal(["mi-token-5e2c"], presented);
    }

    [Theory]
    [InlineData("api://AzureADTokenExchange/.default")]
    [InlineData("api://AzureADTokenExchange?x=1")]
    public void Its_options_refuse_an_audience_that_is_not_a_plain_uri(string audience)
    {
        var errors = new List<string>();

        FederatedCredential.Validate("TokenBroker:Connections:payments", new ConnectionOptions { FederationAudience = audience }, errors);

        Assert.StartsWith("TokenBroker:Connections:payments:FederationAudience must be an absolute URI", Assert.Single(errors), StringComparison.Ordinal);
    }

    private sealed class FakeIdentity : TokenCredential
    {
        public ConcurrentQueue<string[]> Requests { get; } = new();

        public ConcurrentQueue<string> Issued { get; } = new();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Requests.Enqueue(requestContext.Scopes);
            var token = $"mi-token-{Guid.NewGuid():N}";
            Issued.Enqueue(token);
            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
