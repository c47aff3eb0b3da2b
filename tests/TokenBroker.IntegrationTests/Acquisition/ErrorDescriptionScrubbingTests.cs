using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TokenBroker.IntegrationTests.Infrastructure.Faults;

namespace TokenBroker.IntegrationTests.Acquisition;

/// <summary>
/// A token endpoint whose error_description echoes what it received, in every form the secret travelled in: the broker
/// logs the description, and no form of the secret may reach a log.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class ErrorDescriptionScrubbingTests(IntegrationFixture fixture)
{
    // Characters that every encoder writes differently: a space, '+', '/', ':', '&', '~', '!', non-ASCII.
    private const string Secret = "echo secret+/:&~!ä€ 9c1f47d2";

    [Theory]
    [InlineData("client_secret_basic")]
    [InlineData("client_secret_post")]
    public async Task An_error_description_echoing_the_secret_in_any_form_never_reaches_a_log(string authMethod)
    {
        var clientId = "echo-client-" + authMethod;
        foreach (var form in Forms(clientId))
        {
            fixture.Sink.AddSensitive(form);
        }

        await using var endpoint = await FaultServer.StartAsync(EchoAsync, https: false);
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Connections:demo:TokenEndpoint"] = new Uri(endpoint.Uri, "connect/token").AbsoluteUri;
        settings["TokenBroker:Connections:demo:ClientId"] = clientId;
        settings["TokenBroker:Connections:demo:AuthMethod"] = authMethod;
        settings["TokenBroker:Secrets:demo-secret"] = Secret;
        await using var broker = await fixture.StartBrokerAsync(settings);
        var emittedBefore = fixture.Sink.EmittedCount;

        var call = await broker.RequestTokenAsync("demo");

        Assert.Equal(502, call.Status);
        Assert.True(fixture.Sink.EmittedCount > emittedBefore);
        Assert.Contains(fixture.Sink.Emitted, line => line.Contains("echoed:", StringComparison.Ordinal));
        fixture.Sink.AssertNoLeak();
    }

    // The forms a server could echo, computed here independently of the broker's own list.
    private static IEnumerable<string> Forms(string clientId)
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
        var formEncoded = Uri.EscapeDataString(Secret).Replace("%20", "+", StringComparison.Ordinal);
        yield return Secret;
        yield return formEncoded;
        yield return WebUtility.UrlEncode(Secret);
        yield return System.Web.HttpUtility.UrlEncode(Secret);
        yield return Uri.EscapeDataString(Secret);
        yield return B64(Secret);
        yield return B64(Uri.EscapeDataString(clientId).Replace("%20", "+", StringComparison.Ordinal) + ":" + formEncoded);
        yield return B64(clientId + ":" + Secret);
    }

    // Answers invalid_request (so no rotation retry happens) with everything it was sent, and the secret's base64.
    private static async Task EchoAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var authorization = context.Request.Headers.Authorization.ToString();
        var description = $"echoed: header [{authorization}] basic [{authorization.Replace("Basic ", string.Empty, StringComparison.Ordinal)}] body [{body}] "
            + $"secret [{Secret}] base64 [{Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret))}] lower [{System.Web.HttpUtility.UrlEncode(Secret)}]";
        context.Response.StatusCode = 400;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = "invalid_request", ["error_description"] = description }));
    }
}
