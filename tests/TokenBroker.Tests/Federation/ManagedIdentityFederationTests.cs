using System.Collections.Concurrent;
using System.Net;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Federation;

/// <summary>Workload identity federation: the broker's own managed identity token is the client assertion.</summary>
public sealed class ManagedIdentityFederationTests : IDisposable
{
    private readonly FakeIdentity _identity = new();
    private readonly CoreHarness _harness;

    public ManagedIdentityFederationTests()
    {
        _harness = new CoreHarness(
            new Dictionary<string, string?>
            {
                ["TokenBroker:Connections:payments:AuthMethod"] = "managed_identity_federation",
                ["TokenBroker:Connections:payments:SecretName"] = null,
                ["TokenBroker:Connections:ledger:TokenEndpoint"] = "https://login.example.test/oauth2/token",
                ["TokenBroker:Connections:ledger:ClientId"] = "ledger-client",
                ["TokenBroker:Connections:ledger:AuthMethod"] = "managed_identity_federation",
                ["TokenBroker:Connections:ledger:FederationAudience"] = "api://AzureADTokenExchangeUSGov",
            },
            null,
            null,
            services => services.AddSingleton<TokenCredential>(_identity));
    }

    public void Dispose() => _harness.Dispose();

    private ValueTask<TokenResult> Get(string connection = "payments") => _harness.Broker.GetTokenAsync(connection, null, CancellationToken.None);

    [Fact]
    public async Task The_managed_identity_token_for_the_token_exchange_audience_is_the_client_assertion()
    {
        var result = await Get();

        Assert.True(result.Succeeded);
        Assert.Equal("federated", result.Token.SecretVersion);
        Assert.Equal(["api://AzureADTokenExchange/.default"], Assert.Single(_identity.Requests));
        var request = Assert.Single(_harness.Endpoint.Requests);
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", request.Form["client_assertion_type"]);
        Assert.Equal(_identity.Issued.Single(), request.Form["client_assertion"]);
        Assert.Equal("payments-client", request.Form["client_id"]);
        Assert.Null(request.AuthScheme);
    }

    [Fact]
    public async Task A_configured_federation_audience_is_asked_for_instead()
    {
        await Get("ledger");

        Assert.Equal(["api://AzureADTokenExchangeUSGov/.default"], Assert.Single(_identity.Requests));
    }

    [Fact]
    public async Task A_refused_assertion_is_reported_once_and_held_since_there_is_nothing_to_rotate()
    {
        _harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(HttpStatusCode.Unauthorized, """{"error":"invalid_client","error_description":"AADSTS70021: No matching federated identity record found."}"""));

        var first = await Get();
        var second = await Get();

        Assert.Equal("invalid_client", first.Error!.UpstreamError);
        Assert.Equal(TokenErrorKind.UpstreamRejected, second.Error!.Kind);
        Assert.Equal(1, _harness.Endpoint.Count);
        Assert.Contains(_harness.Logs.Collector.GetSnapshot(), r => r.Id.Id == 1205);
        Assert.DoesNotContain(_harness.Logs.Collector.GetSnapshot(), r => r.Message.Contains(_identity.Issued.Single(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_managed_identity_that_cannot_get_a_token_is_a_credential_failure_and_no_request_is_sent()
    {
        _identity.Fail = true;

        var result = await Get();

        Assert.Equal(TokenErrorKind.SecretUnavailable, result.Error!.Kind);
        Assert.Contains("federated credential", result.Error.Detail, StringComparison.Ordinal);
        Assert.Equal(0, _harness.Endpoint.Count);
    }

    private sealed class FakeIdentity : TokenCredential
    {
        public ConcurrentQueue<string[]> Requests { get; } = new();

        public ConcurrentQueue<string> Issued { get; } = new();

        public bool Fail { get; set; }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Requests.Enqueue(requestContext.Scopes);
            if (Fail)
            {
                throw new CredentialUnavailableException("no managed identity endpoint");
            }

            var token = $"mi-token-{Guid.NewGuid():N}";
            Issued.Enqueue(token);
            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
