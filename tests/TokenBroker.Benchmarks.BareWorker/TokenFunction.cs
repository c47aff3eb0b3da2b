using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace TokenBroker.Benchmarks.BareWorker;

/// <summary>
/// <c>POST /api/token/{connection}</c> as the broker's worker declares it, answering with the seeded token response read
/// once from the file named by the <c>BareWorker:BodyFile</c> app setting: the bench's first response without the broker.
/// </summary>
public sealed class TokenFunction(IConfiguration configuration)
{
    private static byte[]? s_body;

    /// <summary>Writes the seeded token response.</summary>
    [Function("Token")]
    public Task RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "token/{connection}")] HttpRequest request,
        string connection,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = s_body ??= File.ReadAllBytes(configuration["BareWorker:BodyFile"]
            ?? throw new InvalidOperationException("The app setting BareWorker:BodyFile is not set."));
        var response = request.HttpContext.Response;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, cancellationToken).AsTask();
    }
}
