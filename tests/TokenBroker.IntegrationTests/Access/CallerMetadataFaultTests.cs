using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using TokenBroker.Access;
using TokenBroker.IntegrationTests.Infrastructure.Faults;

namespace TokenBroker.IntegrationTests.Access;

/// <summary>
/// The caller authority's OIDC metadata and signing keys, fetched by the real Microsoft.IdentityModel configuration
/// manager through the broker's HTTP client, from a loopback fault server in front of the real authorization server.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class CallerMetadataFaultTests(IntegrationFixture fixture)
{
    private static readonly HttpClient Forwarder = new();

    public static TheoryData<string> Faults() =>
        new("refused", "never_answers", "status_503_retry_after", "truncated_body", "malformed_body", "tls_failure");

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_caller_authority_fault_answers_503_until_keys_are_fetched_and_then_callers_with_cached_keys_keep_being_served(string fault)
    {
        FaultServer? metadata = null;
        metadata = await FaultServer.StartAsync(context => ForwardAsync(context, metadata!), https: fault == "tls_failure");
        await using var _ = metadata;
        var settings = fixture.CallerIdentitySettings();
        settings["TokenBroker:Callers:Authority"] = metadata.Uri.AbsoluteUri;
        settings["TokenBroker:Callers:MetadataTimeout"] = "00:00:02";
        settings["TokenBroker:Callers:MetadataRetryAfter"] = "00:00:07";
        await metadata.SetFaultAsync(Fault.Matrix[fault]);
        await using var broker = await fixture.StartBrokerAsync(settings, services =>
        {
            if (metadata.Certificate is { } certificate)
            {
                // Trusted as a public CA's certificate would be; the fault swaps in one nobody trusts.
                services.AddHttpClient(CallerAuthenticator.MetadataHttpClientName).ConfigurePrimaryHttpMessageHandler(certificate.CreateHandler);
            }
        });
        var lifetime = broker.Services.GetRequiredService<IHostApplicationLifetime>();
        var token = await fixture.Authorization.CallerTokenAsync();
        fixture.Sink.AddSensitive(token);

        // No keys were ever fetched: the token cannot be checked, so the caller is told to try again, not that it is bad.
        var clock = Stopwatch.StartNew();
        var cold = await CallAsync(broker, token);
        var coldTook = clock.Elapsed;

        Assert.Equal(503, cold.Status);
        Assert.Equal("upstream_unavailable", cold.Code);
        Assert.Equal("7", cold.RetryAfter);
        // The bound is MetadataTimeout (2 s) per fetch; the slack is for a shared machine, not a speed claim.
        Assert.True(coldTook < TimeSpan.FromSeconds(20), $"the caller waited {coldTook}");
        Assert.Contains(fixture.Sink.Emitted, line => line.Contains("Cannot check caller tokens", StringComparison.Ordinal));

        // The authority heals: the next caller is checked and served without a restart.
        await metadata.SetFaultAsync(null);
        Assert.Equal(200, (await CallAsync(broker, token)).Status);

        // The authority fails again: the keys already fetched keep serving callers.
        await metadata.SetFaultAsync(Fault.Matrix[fault]);
        var warm = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => CallAsync(broker, token)));

        Assert.All(warm, call => Assert.Equal(200, call.Status));
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the host stopped");
    }

    private async Task<TokenCall> CallAsync(BrokerInstance broker, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/token/demo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await broker.Client.SendAsync(request);
        return await TokenCall.ReadAsync(response, fixture.Sink);
    }

    // Serves the real authorization server's metadata and keys, with the keys' address moved behind the fault server
    // too, so that both fetches meet the fault.
    private async Task ForwardAsync(HttpContext context, FaultServer metadata)
    {
        var path = context.Request.Path.Value!.TrimStart('/');
        using var response = await Forwarder.GetAsync(new Uri(fixture.Authorization.BaseUri, path), context.RequestAborted);
        var body = await response.Content.ReadAsStringAsync(context.RequestAborted);
        if (path == ".well-known/openid-configuration")
        {
            var document = JsonNode.Parse(body)!;
            var keys = new Uri(document["jwks_uri"]!.GetValue<string>());
            document["jwks_uri"] = new Uri(metadata.Uri, keys.PathAndQuery).AbsoluteUri;
            body = document.ToJsonString();
        }

        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, context.RequestAborted);
    }
}
