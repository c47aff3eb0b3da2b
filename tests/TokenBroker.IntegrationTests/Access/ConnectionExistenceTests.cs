using System.Net.Http.Headers;
using System.Text;

namespace TokenBroker.IntegrationTests.Access;

/// <summary>
/// A caller the access policy does not grant a connection learns nothing about it: not whether it exists, not which
/// scopes it allows. Two brokers, one with the connection configured and one without, must answer byte for byte alike.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class ConnectionExistenceTests(IntegrationFixture fixture)
{
    [Theory]
    [InlineData(null)]
    [InlineData("""{"scope":"api.read"}""")]
    [InlineData("""{"scope":"api.admin"}""")]
    public async Task A_caller_not_granted_a_connection_gets_the_same_answer_whether_or_not_it_exists(string? body)
    {
        var withOther = fixture.CallerIdentitySettings();
        var withoutOther = fixture.CallerIdentitySettings();
        foreach (var key in withoutOther.Keys.Where(k => k.StartsWith("TokenBroker:Connections:other:", StringComparison.Ordinal)).ToList())
        {
            withoutOther.Remove(key);
        }

        await using var configured = await fixture.StartBrokerAsync(withOther);
        await using var absent = await fixture.StartBrokerAsync(withoutOther);
        var token = await fixture.Authorization.CallerTokenAsync();
        fixture.Sink.AddSensitive(token);

        var fromConfigured = await AnswerAsync(configured, token, body);
        var fromAbsent = await AnswerAsync(absent, token, body);

        Assert.Equal(403, fromConfigured.Status);
        Assert.Contains("caller_not_allowed", fromConfigured.Body, StringComparison.Ordinal);
        Assert.Equal(fromConfigured, fromAbsent);
    }

    [Fact]
    public async Task Without_caller_identity_an_unknown_connection_is_still_404()
    {
        // The function key is then the only gate and grants every connection: existence is no secret from its holder.
        await using var broker = await fixture.StartBrokerAsync();

        var call = await broker.RequestTokenAsync("no-such-connection");

        Assert.Equal(404, call.Status);
        Assert.Equal("connection_not_found", call.Code);
    }

    private static async Task<Answer> AnswerAsync(BrokerInstance broker, string token, string? body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/token/other");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await broker.Client.SendAsync(request);
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => !string.Equals(h.Key, "Date", StringComparison.OrdinalIgnoreCase))
            .Select(h => $"{h.Key.ToLowerInvariant()}: {string.Join(", ", h.Value)}")
            .Order(StringComparer.Ordinal);
        // The trace id is per request by design (it names this request in the broker's logs), never per connection.
        var text = await response.Content.ReadAsStringAsync();
        var withoutTrace = System.Text.RegularExpressions.Regex.Replace(text, "\"trace_id\":\"[0-9a-f]{32}\"", "\"trace_id\":\"…\"");
        Assert.NotEqual(text, withoutTrace);
        return new Answer((int)response.StatusCode, string.Join("\n", headers), withoutTrace);
    }

    private sealed record Answer(int Status, string Headers, string Body);
}
