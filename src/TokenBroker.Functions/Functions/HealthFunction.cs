using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Functions.Http;

namespace TokenBroker.Functions.Functions;

/// <summary>
/// <c>GET /api/health</c>: liveness only. It touches no dependency on purpose: a platform that restarts an instance
/// because Table Storage or an authorization server is slow would turn a partial outage into a full one.
/// </summary>
public sealed class HealthFunction
{
    /// <summary>The function's name in functions.metadata and in Azure.</summary>
    public const string Name = "Health";

    /// <summary>The route below the <c>api</c> prefix.</summary>
    public const string Route = "health";

    private static readonly byte[] Healthy = """{"status":"healthy"}"""u8.ToArray();

    /// <summary>Answers that the process is alive.</summary>
    [Function(Name)]
#pragma warning disable CA1822 // The Functions SDK binds instance methods; a static one would work but reads as an oddity.
    public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new StaticJsonResult(Healthy);
    }
#pragma warning restore CA1822
}
