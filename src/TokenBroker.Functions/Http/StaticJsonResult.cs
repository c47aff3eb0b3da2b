using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace TokenBroker.Functions.Http;

/// <summary>A fixed JSON body, written without MVC's executors so that both hosts run it as is.</summary>
internal sealed class StaticJsonResult(ReadOnlyMemory<byte> utf8Json, int status = StatusCodes.Status200OK) : IActionResult
{
    /// <inheritdoc />
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.ContentLength = utf8Json.Length;
        await response.Body.WriteAsync(utf8Json, context.HttpContext.RequestAborted);
    }
}
