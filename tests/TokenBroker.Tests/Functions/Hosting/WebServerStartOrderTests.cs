using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TokenBroker.Functions.Hosting;

namespace TokenBroker.Tests.Functions.Hosting;

public sealed class WebServerStartOrderTests
{
    [Fact]
    public void The_worker_web_server_is_started_before_its_grpc_connection_to_the_host()
    {
        // The registrations the worker SDK makes, as Program.cs makes them: the helper must find both services by name.
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.ConfigureFunctionsWebApplication();
        var before = HostedServices(builder.Services);

        var moved = builder.Services.StartWebServerFirst();
        var after = HostedServices(builder.Services);

        Assert.True(before.IndexOf("WorkerHostedService") < before.IndexOf("GenericWebHostService"), "The SDK already starts the web server first: the helper is no longer needed.");
        Assert.True(moved);
        Assert.True(after.IndexOf("GenericWebHostService") >= 0 && after.IndexOf("GenericWebHostService") < after.IndexOf("WorkerHostedService"));
        Assert.Equal(before.Order(StringComparer.Ordinal), after.Order(StringComparer.Ordinal));
        Assert.False(builder.Services.StartWebServerFirst());
    }

    private static List<string> HostedServices(IServiceCollection services) =>
        [.. services.Where(d => d.ServiceType == typeof(IHostedService)).Select(d => d.ImplementationType?.Name ?? "(factory)")];
}
