using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Functions.Functions;
using TokenBroker.Functions.Http;

namespace TokenBroker.Host;

/// <summary>
/// Maps each HTTP function to the route, method and authorization level it has in functions.metadata
/// (a test holds the two together) and runs the function class's own method.
/// </summary>
internal static class FunctionEndpoints
{
    public const string RoutePrefix = "/api/";

    private static readonly ActionDescriptor NoAction = new();

    public static void MapFunctionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // The function classes are singletons: taken from the root provider, a request never needs a DI scope.
        var token = endpoints.ServiceProvider.GetRequiredService<TokenFunction>();
        endpoints.MapPost(RoutePrefix + TokenFunction.Route, context =>
                ExecuteAsync(context, token.HandleAsync(context.Request, Connection(context), context.RequestAborted)))
            .WithMetadata(new FunctionRoute(TokenFunction.Name, AuthorizationLevel.Function));

        endpoints.MapGet(RoutePrefix + OperationsFunctions.ListRoute, static context =>
                ExecuteAsync(context, context.RequestServices.GetRequiredService<OperationsFunctions>().ListAsync(context.Request, context.RequestAborted)))
            .WithMetadata(new FunctionRoute(OperationsFunctions.ListName, AuthorizationLevel.Function));
        endpoints.MapPost(RoutePrefix + OperationsFunctions.RefreshRoute, static context =>
                ExecuteAsync(context, context.RequestServices.GetRequiredService<OperationsFunctions>().RefreshAsync(context.Request, Connection(context), context.RequestAborted)))
            .WithMetadata(new FunctionRoute(OperationsFunctions.RefreshName, AuthorizationLevel.Function));
        endpoints.MapPost(RoutePrefix + OperationsFunctions.EvictRoute, static context =>
                ExecuteAsync(context, context.RequestServices.GetRequiredService<OperationsFunctions>().EvictAsync(context.Request, Connection(context), context.RequestAborted)))
            .WithMetadata(new FunctionRoute(OperationsFunctions.EvictName, AuthorizationLevel.Function));
        endpoints.MapPost(RoutePrefix + OperationsFunctions.RotateRoute, static context =>
                ExecuteAsync(context, context.RequestServices.GetRequiredService<OperationsFunctions>().RotateAsync(context.Request, Connection(context), context.RequestAborted)))
            .WithMetadata(new FunctionRoute(OperationsFunctions.RotateName, AuthorizationLevel.Function));

        endpoints.MapGet(RoutePrefix + HealthFunction.Route, static context =>
            {
                var function = context.RequestServices.GetRequiredService<HealthFunction>();
                return ExecuteAsync(context, Task.FromResult(function.Run(context.Request)));
            })
            .WithMetadata(new FunctionRoute(HealthFunction.Name, AuthorizationLevel.Anonymous));
    }

    private static string Connection(HttpContext context) => context.Request.RouteValues["connection"] as string ?? string.Empty;

    private static Task ExecuteAsync(HttpContext context, Task<IActionResult> invocation) =>
        ExecuteAsync(context, new ValueTask<IActionResult>(invocation));

    // A warm token hit completes synchronously: it is written without a state machine of its own.
    private static Task ExecuteAsync(HttpContext context, ValueTask<IActionResult> invocation) =>
        invocation.IsCompletedSuccessfully ? WriteAsync(context, invocation.Result) : WriteWhenDoneAsync(context, invocation);

    private static async Task WriteWhenDoneAsync(HttpContext context, ValueTask<IActionResult> invocation) =>
        await WriteAsync(context, await invocation);

    // The results the broker writes need nothing of MVC's ActionContext; building one per request is pure allocation.
    private static Task WriteAsync(HttpContext context, IActionResult result) => result switch
    {
        TokenResponseResult token => token.WriteAsync(context),
        ProblemResult problem => problem.WriteAsync(context),
        _ => result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), NoAction)),
    };
}
