using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;

namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>
/// A token endpoint inside the process, at the HTTP handler level: every connection has its own path
/// (<c>/{connection}/token</c>), so the requests can be told apart; every answer is a new opaque token with
/// <c>expires_in</c> set to the lifetime. It notes when each request arrived on the simulated clock.
/// </summary>
internal sealed class OpaqueTokenEndpoint(TimeProvider time, DateTimeOffset start, TimeSpan lifetime) : HttpMessageHandler
{
    private readonly ConcurrentQueue<IssuedToken> _issued = new();
    private int _unexpected;

    public IReadOnlyList<IssuedToken> Issued => [.. _issued];

    /// <summary>Requests that were not token requests: a sign the broker went somewhere it should not.</summary>
    public int UnexpectedRequests => Volatile.Read(ref _unexpected);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var segments = request.RequestUri?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (request.Method != HttpMethod.Post || segments is not [var connection, "token"])
        {
            Interlocked.Increment(ref _unexpected);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }

        _issued.Enqueue(new IssuedToken(connection, time.GetUtcNow() - start));
        var token = $"opaque-{connection}-{Guid.NewGuid():N}";
        var seconds = ((long)lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent($$"""{"access_token":"{{token}}","token_type":"Bearer","expires_in":{{seconds}}}""", Encoding.UTF8, "application/json"),
        });
    }
}
