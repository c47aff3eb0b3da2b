using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TokenBroker.Functions.Hosting;

/// <summary>
/// Starts the worker's web server before its gRPC connection to the Functions host. The generic host starts hosted services
/// one after another in registration order, and the worker SDK registers its gRPC service (which opens the stream, so the
/// host's handshake begins) before the ASP.NET Core integration's web server. The host forwards the first request as soon as
/// the handshake is over, without waiting for the worker's listener, and retries a refused connection after 50, 100, 200
/// and 250 ms: a new worker's first caller waited in those retries. With the web server first, the listener accepts before
/// the host can know where it is.
/// </summary>
internal static class WebServerStartOrder
{
    // Both types are internal to their packages, so they are found by name; if either is renamed, the order is left as is.
    private const string WebServer = "Microsoft.AspNetCore.Hosting.GenericWebHostService";
    private const string WorkerConnection = "Microsoft.Azure.Functions.Worker.WorkerHostedService";

    /// <summary>Moves the web server's hosted service just before the worker's gRPC one; true when it moved.</summary>
    public static bool StartWebServerFirst(this IServiceCollection services)
    {
        var server = IndexOf(services, WebServer);
        var worker = IndexOf(services, WorkerConnection);
        if (server < 0 || worker < 0 || server < worker)
        {
            return false;
        }

        var descriptor = services[server];
        services.RemoveAt(server);
        services.Insert(worker, descriptor);
        return true;
    }

    private static int IndexOf(IServiceCollection services, string implementation)
    {
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == typeof(IHostedService) && !services[i].IsKeyedService && services[i].ImplementationType?.FullName == implementation)
            {
                return i;
            }
        }

        return -1;
    }
}
