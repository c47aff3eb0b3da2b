using System.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TokenBroker.Benchmarks.Reporting;

namespace TokenBroker.Benchmarks.Bare;

/// <summary>
/// Issue item 2's yardstick: the least Kestrel can do for the same request. A minimal-API app with the broker's route
/// template and method, answering with a fixed body (the broker's own response, captured by bench/run.sh, so the bytes
/// are the same) and the broker's headers. Whatever the broker adds on top of this is the broker's cost.
/// </summary>
internal static class BareEndpoint
{
    public static async Task<int> RunAsync(string[] args)
    {
        var bodyFile = Arguments.Option(args, "--body-file");
        if (bodyFile is null)
        {
            await Console.Error.WriteLineAsync("usage: bare --body-file FILE [--urls http://127.0.0.1:PORT] [ASP.NET Core options]");
            return 2;
        }

        var body = await File.ReadAllBytesAsync(bodyFile);
        var builder = WebApplication.CreateBuilder(WithoutOption(args, "--body-file"));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        // The broker host's appsettings.json keeps ASP.NET Core's per-request logs off; so does this.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var app = builder.Build();
        app.MapPost("/api/token/{connection}", context =>
        {
            var response = context.Response;
            response.ContentType = "application/json; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            response.Headers.Pragma = "no-cache";
            response.ContentLength = body.Length;
            return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
        });
        app.MapGet("/api/health", () => Results.Ok());
        app.Lifetime.ApplicationStarted.Register(() =>
            Console.WriteLine($"bare endpoint: {body.Length}-byte body on {string.Join(", ", app.Urls)}; server GC {GCSettings.IsServerGC}"));
        await app.RunAsync();
        return 0;
    }

    private static string[] WithoutOption(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index < 0 ? args : [.. args[..index], .. args[Math.Min(args.Length, index + 2)..]];
    }
}
