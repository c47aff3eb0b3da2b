using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using TokenBroker.IntegrationTests.Infrastructure.Faults;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;

namespace TokenBroker.IntegrationTests;

/// <summary>
/// The targets of docs/resilience.md, over a running broker with real faults in front of each dependency: no 500 and no
/// stopped host under any fault; every request for a key with a usable token served; a cold key answered 200 or 503
/// with a bounded Retry-After, within the token endpoint's TotalTimeout plus the time a fetch may take.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class DependencyFaultMatrixTests(IntegrationFixture fixture)
{
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly HttpClient Forwarder = new();

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var dependency in new[] { "authorization_server", "key_vault", "table_storage" })
        {
            foreach (var fault in new[] { "refused", "never_answers", "status_503_retry_after", "truncated_body", "malformed_body", "tls_failure", "status_403" })
            {
                cases.Add(dependency, fault);
            }
        }

        // A 200 with an HTML page (a proxy's sign-in page) where the token endpoint's JSON was expected.
        cases.Add("authorization_server", "html_body");

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_dependency_fault_never_gives_a_500_or_stops_the_host_and_warm_keys_keep_being_served(string dependency, string fault)
    {
        await using var vault = await KeyVaultEndpoint.StartAsync();
        await using var authorization = await FaultServer.StartAsync(ForwardToAuthorizationServerAsync, https: dependency == "authorization_server" && fault == "tls_failure");
        await using var table = await FaultServer.StartAsync();
        var settings = vault.Adopt(fixture.BrokerSettings());
        settings["TokenBroker:Connections:demo:TokenEndpoint"] = new Uri(authorization.Uri, "connect/token").AbsoluteUri;
        settings["TokenBroker:TokenEndpoint:AttemptTimeout"] = "00:00:01";
        settings["TokenBroker:TokenEndpoint:TotalTimeout"] = "00:00:03";
        settings["TokenBroker:TokenEndpoint:MaxRetryAttempts"] = "1";
        settings["TokenBroker:SecretCacheDuration"] = "00:00:01";
        settings["TokenBroker:AcquisitionTimeout"] = "00:00:06";
        if (dependency == "table_storage")
        {
            // The table is faulted from the start: the shared tier is an optimisation, never a dependency.
            settings["TokenBroker:TokenCache:ConnectionString"] =
                $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};TableEndpoint={table.Uri}devstoreaccount1;";
            await table.SetFaultAsync(FaultNamed(fault));
        }

        await using var broker = await BrokerInstance.StartAsync(fixture, settings, services =>
        {
            vault.AddTo(services);
            if (authorization.Certificate is { } certificate)
            {
                // The broker trusts this endpoint's certificate as it would a public CA's; the fault swaps in an untrusted one.
                services.AddHttpClient(TokenBroker.Acquisition.ClientCredentialsClient.HttpClientName)
                    .ConfigurePrimaryHttpMessageHandler(certificate.CreateHandler);
            }
        });
        var lifetime = broker.Services.GetRequiredService<IHostApplicationLifetime>();
        Assert.Equal(200, (await broker.RequestTokenAsync("demo")).Status);

        switch (dependency)
        {
            case "authorization_server":
                await authorization.SetFaultAsync(FaultNamed(fault));
                break;
            case "key_vault":
                await vault.SetFaultAsync(FaultNamed(fault));
                await Task.Delay(TimeSpan.FromSeconds(1.2)); // the secrets' cache duration passes: the next miss asks the vault
                break;
        }

        var warm = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => broker.RequestTokenAsync("demo")));
        var started = DateTimeOffset.UtcNow;
        var cold = await broker.RequestTokenAsync("demo", new { scope = "api.write" });
        var coldTook = DateTimeOffset.UtcNow - started;

        Assert.All(warm, call => Assert.Equal(200, call.Status));
        if (dependency == "table_storage")
        {
            // The shared tier is an optimisation: with a healthy authorization server a cold key is always served, even
            // by a table that never answers (its read is bounded by TokenCache:OperationTimeout, then skipped).
            Assert.Equal(200, cold.Status);
        }
        else if (dependency == "authorization_server" && fault is "malformed_body" or "html_body")
        {
            // A 200 that is not a token is the authorization server answering wrongly, not being away: 502, not retried.
            Assert.Equal((502, "upstream_invalid_response"), (cold.Status, cold.Code));
        }
        else
        {
            // A bare 403 from the token endpoint is a refusal (502 upstream_rejected); every other fault is 200 or 503.
            Assert.True(cold.Status is 200 or 503 || (cold.Status == 502 && fault == "status_403"), $"cold key: {cold.Status} {cold.Code}");
        }

        if (cold.Status == 503)
        {
            Assert.True(int.TryParse(cold.RetryAfter, out var seconds) && seconds is > 0 and <= 300, $"Retry-After {cold.RetryAfter}");
        }

        // The bound is AcquisitionTimeout (6 s); the slack is for a machine shared with other builds, not a speed claim.
        Assert.True(coldTook < TimeSpan.FromSeconds(30), $"cold key took {coldTook}");
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the host stopped");
        foreach (var token in vault.IssuedTokens)
        {
            fixture.Sink.AddSensitive(token);
        }
    }

    private static Fault FaultNamed(string name) => name == "html_body" ? Fault.HtmlBody : Fault.Matrix[name];

    // Passes the token request through to the real authorization server, so that without a fault the broker gets real tokens.
    private async Task ForwardToAuthorizationServerAsync(HttpContext context)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Authorization.TokenEndpoint)
        {
            Content = new StreamContent(context.Request.Body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
        if (context.Request.Headers.Authorization.Count > 0)
        {
            request.Headers.TryAddWithoutValidation("Authorization", context.Request.Headers.Authorization.ToString());
        }

        using var response = await Forwarder.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
