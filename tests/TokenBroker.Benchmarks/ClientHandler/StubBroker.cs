using System.Globalization;
using System.Net;
using System.Text;
using TokenBroker.Benchmarks.Stubs;

namespace TokenBroker.Benchmarks.ClientHandler;

/// <summary>
/// The broker as the client library sees it, at the HTTP handler level: <c>POST /api/token/{connection}</c> answered with a
/// realistic token for an hour, counted, so the benchmark can prove its calls were cache hits.
/// </summary>
internal sealed class StubBroker : HttpMessageHandler
{
    private int _tokenRequests;

    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _tokenRequests);
        var now = DateTimeOffset.UtcNow;
        var token = RealisticToken.Create(now, TimeSpan.FromHours(1));
        var body = string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"access_token":"{{token}}","token_type":"Bearer","expires_in":3600,"expires_on":{{now.AddHours(1).ToUnixTimeSeconds()}},"scope":"api.read"}""");
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
