using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace TokenBroker.Benchmarks.BareWorker;

/// <summary>
/// <c>POST /api/token/{connection}</c>, declared as the broker's worker declares it (a function key, the same route),
/// answering with the seeded token response and the headers the bench's bare app sends: the first response without the
/// broker.
/// </summary>
internal sealed class TokenFunction(SeededTokenResponse seeded)
{
    /// <summary>Writes the seeded token response.</summary>
    [Function("Token")]
    public Task RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "token/{connection}")] HttpRequest request,
        string connection,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = request.HttpContext.Response;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        response.ContentLength = seeded.Body.Length;
        return response.Body.WriteAsync(seeded.Body, cancellationToken).AsTask();
    }
}
