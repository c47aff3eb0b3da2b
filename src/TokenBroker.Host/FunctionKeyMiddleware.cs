using System.Security.Cryptography;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.Functions.Http;

namespace TokenBroker.Host;

/// <summary>
/// Does what Azure's front end does for function-level routes: without the right key, 401 and the function never runs.
/// </summary>
internal sealed partial class FunctionKeyMiddleware(RequestDelegate next, IOptions<FunctionKeyOptions> options, ILogger<FunctionKeyMiddleware> logger)
{
    private const string KeyHeader = "x-functions-key";
    private const string KeyQuery = "code";

    // Hashing first makes the comparison constant-time in the key's length too.
    private readonly byte[]? _expectedHash = string.IsNullOrEmpty(options.Value.ApiKey)
        ? null
        : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ApiKey));

    public Task InvokeAsync(HttpContext context)
    {
        var route = context.GetEndpoint()?.Metadata.GetMetadata<FunctionRoute>();
        if (_expectedHash is null || route is null || route.Level == AuthorizationLevel.Anonymous || IsAuthorized(context))
        {
            return next(context);
        }

        Log.Refused(logger, route.FunctionName);
        return new ProblemResult(StatusCodes.Status401Unauthorized, ProblemCode.Unauthorized, "Unauthorized", $"Send a valid function key in the {KeyHeader} header.")
            .WriteAsync(context);
    }

    private bool IsAuthorized(HttpContext context)
    {
        string? presented = context.Request.Headers[KeyHeader];
        if (string.IsNullOrEmpty(presented))
        {
            presented = context.Request.Query[KeyQuery];
        }

        if (string.IsNullOrEmpty(presented) || presented.Length > 512)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expectedHash);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.FunctionKeyRefused, Level = LogLevel.Warning, Message = "Refused a call to function {Function}: missing or wrong function key")]
        public static partial void Refused(ILogger logger, string function);
    }
}
