using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Web;

namespace TokenBroker.Tests.Support;

/// <summary>
/// Fault injection for unit tests: answers token requests with whatever a test scripts (malformed lifetimes, 429s, slow
/// answers). Real protocol behaviour is tested against the OpenIddict server in the integration tests.
/// </summary>
internal sealed class StubTokenEndpoint : HttpMessageHandler
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Decides the answer; by default a JWT-less opaque token living one hour, echoing the requested scope.</summary>
    public Func<RecordedRequest, Task<HttpResponseMessage>> Respond { get; set; } =
        request => Task.FromResult(Json(HttpStatusCode.OK, $$"""{"access_token":"tok-{{Guid.NewGuid():N}}-{{request.Form.GetValueOrDefault("scope")}}","token_type":"Bearer","expires_in":3600}"""));

    public static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var parsed = HttpUtility.ParseQueryString(body);
        var form = parsed.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => parsed[k]!);
        var recorded = new RecordedRequest(request.RequestUri!, request.Headers.Authorization?.Scheme, request.Headers.Authorization?.Parameter, form);
        Requests.Enqueue(recorded);
        return await Respond(recorded);
    }

    internal sealed record RecordedRequest(Uri Uri, string? AuthScheme, string? AuthParameter, Dictionary<string, string> Form);
}
