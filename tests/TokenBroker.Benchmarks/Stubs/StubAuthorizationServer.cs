using System.Globalization;
using System.Net;
using System.Text;

namespace TokenBroker.Benchmarks.Stubs;

/// <summary>
/// An authorization server inside the process, at the HTTP handler level: it answers token requests without a socket, so
/// the benchmarks never reach the network, and it counts them. Anything else is counted as unexpected and refused.
/// An optional delay stands for the authorization server's latency, so that concurrent cold callers overlap.
/// </summary>
internal sealed class StubAuthorizationServer(TimeProvider time, TimeSpan? latency = null) : HttpMessageHandler
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private int _tokenRequests;
    private int _unexpectedRequests;

    /// <summary>Token requests received.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>Requests other than token requests: a sign the client went somewhere it should not (instance discovery, metadata).</summary>
    public int UnexpectedRequests => Volatile.Read(ref _unexpectedRequests);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath ?? string.Empty;
        if (request.Method == HttpMethod.Post && path.EndsWith("/token", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _tokenRequests);
            if (latency is { } delay)
            {
                await Task.Delay(delay, time, cancellationToken);
            }

            var token = RealisticToken.Create(time.GetUtcNow(), Lifetime);
            var seconds = ((long)Lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return Json($$"""{"token_type":"Bearer","expires_in":{{seconds}},"ext_expires_in":{{seconds}},"access_token":"{{token}}"}""");
        }

        Interlocked.Increment(ref _unexpectedRequests);
        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    private static HttpResponseMessage Json(string body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
