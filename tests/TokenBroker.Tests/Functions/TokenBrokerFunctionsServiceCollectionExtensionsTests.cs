using Microsoft.AspNetCore.DataProtection;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TokenBroker.Tests.Functions;

public sealed class TokenBrokerFunctionsServiceCollectionExtensionsTests
{
    private const string Preload = "DataProtectionHostedService";

    [Fact]
    public void The_worker_starts_without_loading_a_data_protection_key_ring_and_keeps_data_protection_for_a_later_use()
    {
        // The registrations the worker SDK makes, as Program.cs makes them.
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.ConfigureFunctionsWebApplication();
        var before = HostedServices(builder.Services);

        builder.Services.AddTokenBrokerFunctions(builder.Configuration);

        Assert.True(before.Contains(Preload), "The worker SDK no longer preloads a key ring: the removal is no longer needed.");
        Assert.DoesNotContain(Preload, HostedServices(builder.Services));
        Assert.Contains(builder.Services, d => d.ServiceType == typeof(IDataProtectionProvider));
        Assert.False(builder.Services.SkipDataProtectionKeyRingPreload());
    }

    private static List<string> HostedServices(IServiceCollection services) =>
        [.. services.Where(d => d.ServiceType == typeof(IHostedService)).Select(d => d.ImplementationType?.Name ?? "(factory)")];
}
