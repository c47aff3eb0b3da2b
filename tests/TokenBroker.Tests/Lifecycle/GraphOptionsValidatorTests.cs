using TokenBroker.Lifecycle;

namespace TokenBroker.Tests.Lifecycle;

public sealed class GraphOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid_and_name_the_global_cloud()
    {
        var options = new GraphOptions();

        var result = new GraphOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded);
        Assert.Equal(new Uri("https://graph.microsoft.com/v1.0"), options.BaseUrl);
        Assert.Equal("https://graph.microsoft.com/.default", options.Scope);
    }

    [Fact]
    public void Every_bad_setting_is_named_by_its_full_key()
    {
        var options = new GraphOptions { BaseUrl = new Uri("http://graph.example.com/v1.0"), Scope = "Application.ReadWrite.OwnedBy", Timeout = TimeSpan.Zero };

        var result = new GraphOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("TokenBroker:Lifecycle:Graph:BaseUrl ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("TokenBroker:Lifecycle:Graph:Scope ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("TokenBroker:Lifecycle:Graph:Timeout ", StringComparison.Ordinal));
    }

    [Fact]
    public void Plain_http_is_allowed_to_a_loopback_host_only()
    {
        var result = new GraphOptionsValidator().Validate(null, new GraphOptions { BaseUrl = new Uri("http://127.0.0.1:7080/v1.0") });

        Assert.True(result.Succeeded);
    }
}
