using System.Net;

namespace TokenBroker.Benchmarks.ClientHandler;

/// <summary>
/// The end of the chain in the client-handler benchmarks: one response, made once and handed back completed, so what is
/// measured is only the handlers in front of it. It records the last Authorization header it saw, for the setup's check.
/// </summary>
internal sealed class CachedResponseHandler : HttpMessageHandler
{
    private readonly HttpResponseMessage _response = new(HttpStatusCode.OK);
    private readonly Task<HttpResponseMessage> _answer;

    public CachedResponseHandler() => _answer = Task.FromResult(_response);

    public HttpRequestMessage? LastRequest { get; private set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        LastRequest = request;
        return _answer;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _response.Dispose();
        }

        base.Dispose(disposing);
    }
}
