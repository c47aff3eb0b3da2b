namespace TokenBroker.Benchmarks.ClientHandler;

/// <summary>
/// The least any handler can do to put a bearer token on a request: a fixed <c>Authorization</c> value, made once, added
/// without parsing. What it allocates beyond the pass-through is the header's own storage on the request.
/// </summary>
internal sealed class FixedAuthorizationHandler(string value) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation("Authorization", value);
        return base.SendAsync(request, cancellationToken);
    }
}
