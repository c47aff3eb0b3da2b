using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace TokenBroker.Client.Tests.Support;

/// <summary>
/// Stands in for the broker (or a downstream API) behind the client's <see cref="HttpClient"/>: records what it is sent and
/// answers what a test scripts. The real broker over loopback is in the integration tests.
/// </summary>
internal sealed class BrokerStub : HttpMessageHandler
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public ConcurrentQueue<SentRequest> Requests { get; } = new();

    /// <summary>Decides the answer; by default a new bearer token living one hour.</summary>
    public Func<SentRequest, CancellationToken, Task<HttpResponseMessage>> Respond { get; set; } =
        (_, _) => Task.FromResult(Token($"token-{Guid.NewGuid():N}"));

    public static HttpResponseMessage Token(string accessToken, long expiresIn = 3600, string? scope = null) =>
        Json(HttpStatusCode.OK, $$"""{"access_token":"{{accessToken}}","token_type":"Bearer","expires_in":{{expiresIn}}{{(scope is null ? null : $",\"scope\":\"{scope}\"")}}}""");

    public static HttpResponseMessage Json(HttpStatusCode status, string body, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    public static HttpResponseMessage Problem(HttpStatusCode status, string body) => Json(status, body, "application/problem+json");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        var sent = new SentRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues("x-functions-key", out var keys) ? keys.Single() : null,
            request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken),
            request.Content?.Headers.ContentType?.MediaType);
        Requests.Enqueue(sent);
        return await Respond(sent, cancellationToken);
    }

    internal sealed record SentRequest(HttpMethod Method, Uri Uri, string? Authorization, string? FunctionKey, string? Body, string? ContentType);
}
