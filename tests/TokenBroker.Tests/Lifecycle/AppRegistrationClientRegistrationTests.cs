using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;
using TokenBroker.Lifecycle;

namespace TokenBroker.Tests.Lifecycle;

public sealed class AppRegistrationClientRegistrationTests
{
    [Fact]
    public void The_client_is_built_over_the_containers_credential_with_the_configured_graph()
    {
        using var provider = Services(new() { ["TokenBroker:Lifecycle:Graph:BaseUrl"] = "https://graph.microsoft.us/v1.0" });

        var client = provider.GetRequiredService<AppRegistrationClient>();
        var options = provider.GetRequiredService<IOptions<GraphOptions>>().Value;

        Assert.NotNull(client);
        Assert.Equal(new Uri("https://graph.microsoft.us/v1.0"), options.BaseUrl);
    }

    [Fact]
    public void A_bad_setting_fails_with_its_full_key()
    {
        using var provider = Services(new() { ["TokenBroker:Lifecycle:Graph:Scope"] = "Application.ReadWrite.All" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GraphOptions>>().Value);

        Assert.Contains("TokenBroker:Lifecycle:Graph:Scope", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddSingleton(new Mock<TokenCredential>().Object);
        services.AddAppRegistrationClient();
        return services.BuildServiceProvider();
    }
}
