using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenBroker.Functions.Http;

namespace TokenBroker.Host;

/// <summary>
/// The standalone host: Kestrel in front of the same function classes and the same composition as the Functions app.
/// Used by the local run, the end-to-end tests and containers.
/// </summary>
public static class BrokerHost
{
    /// <summary>Where the host listens when no URL is configured: the port <c>func start</c> uses.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <summary>A builder with the broker's services registered; callers may add to it before <see cref="Build"/>.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_HTTP_PORTS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
        });

        builder.Services.AddTokenBrokerFunctions(builder.Configuration);
        builder.Services.AddOptions<FunctionKeyOptions>().Bind(builder.Configuration.GetSection(FunctionKeyOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<FunctionKeyOptions>, FunctionKeyOptionsValidator>();

        // The Functions app has a timer and a queue trigger for these; this host runs the same code on its own.
        builder.Services.AddTokenRefreshScheduler();
        builder.Services.AddOptions<RotationQueueOptions>().Bind(builder.Configuration.GetSection(RotationQueueOptions.SectionName)).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<RotationQueueOptions>, RotationQueueOptionsValidator>());
        builder.Services.AddHostedService<RotationQueuePump>();
        return builder;
    }

    /// <summary>Builds the app and maps the function routes.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();

        // Never a stack trace: an unexpected fault is logged by the handler and answered with a bare problem.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = static context => new ProblemResult(
                StatusCodes.Status500InternalServerError, ProblemCode.InternalError, "Internal error", "The broker failed unexpectedly; the fault is logged.")
                .WriteAsync(context),
        });
        // Function routes write a problem document with every error they answer; the status-code pages are for the rest (no
        // such route, a method the route does not take). Kept off function routes because the middleware costs each request
        // it sees a feature and an Items dictionary, a third of what the warm token path allocated beyond bare Kestrel.
        app.UseWhen(
            static context => context.GetEndpoint()?.Metadata.GetMetadata<FunctionRoute>() is null,
            static branch => branch.UseStatusCodePages(static async statusContext =>
            {
                var context = statusContext.HttpContext;
                var (code, title, detail) = context.Response.StatusCode switch
                {
                    StatusCodes.Status405MethodNotAllowed => (ProblemCode.MethodNotAllowed, "Method not allowed", "This route does not accept that HTTP method."),
                    StatusCodes.Status404NotFound => (ProblemCode.NotFound, "Not found", "No such route."),
                    _ => (ProblemCode.MalformedBody, "Bad request", "The request could not be read."),
                };
                await new ProblemResult(context.Response.StatusCode, code, title, detail).WriteAsync(context);
            }));
        app.UseMiddleware<FunctionKeyMiddleware>();
        app.MapFunctionEndpoints();
        return app;
    }
}
