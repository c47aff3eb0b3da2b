using System.Net.Http.Headers;

namespace TokenBroker.IntegrationTests.Functions;

/// <summary>Puts the demo connection's token in the shared table through a host, as an authenticated caller would.</summary>
internal static class DemoToken
{
    public static async Task RequestAsync(IntegrationFixture fixture, HttpClient client)
    {
        var token = await fixture.Authorization.CallerTokenAsync();
        fixture.Sink.AddSensitive(token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/token/demo");
        request.Headers.Add("x-functions-key", fixture.FunctionKey);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        Assert.Equal(200, (await TokenCall.ReadAsync(response, fixture.Sink)).Status);
    }
}
