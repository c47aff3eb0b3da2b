using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TokenBroker.Client.Tests.Internal;

/// <summary>The <c>TokenBrokerClient</c> options as <c>AddTokenBrokerClient</c> binds and checks them.</summary>
public sealed class TokenBrokerClientOptionsValidatorTests
{
    private static TokenBrokerClientOptions Options(Action<TokenBrokerClientOptions> configure, IConfiguration? configuration = null)
    {
        var services = new ServiceCollection();
        if (configuration is not null)
        {
            services.AddSingleton(configuration);
        }

        services.AddTokenBrokerClient(configure);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<TokenBrokerClientOptions>>().Value;
    }

    private static IReadOnlyList<string> Failures(Action<TokenBrokerClientOptions> configure) =>
        [.. Assert.Throws<OptionsValidationException>(() => Options(configure)).Failures];

    private static Action<TokenBrokerClientOptions> Valid(Action<TokenBrokerClientOptions>? then = null) => options =>
    {
        options.BrokerUri = new Uri("https://broker.example.test/");
        then?.Invoke(options);
    };

    [Theory]
    [InlineData("https://broker.example.test/")]
    [InlineData("https://broker.example.test/gateway/broker")]
    [InlineData("http://127.0.0.1:7071/")]
    [InlineData("http://localhost:7071/")]
    [InlineData("http://[::1]:7071/")]
    public void An_https_broker_or_a_loopback_http_one_is_accepted(string uri)
    {
        Assert.Equal(new Uri(uri), Options(options => options.BrokerUri = new Uri(uri)).BrokerUri);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("http://broker.example.test/")]
    [InlineData("https://broker.example.test/?code=abc")]
    [InlineData("https://broker.example.test/#token")]
    [InlineData("ftp://broker.example.test/")]
    public void A_missing_plain_http_or_decorated_broker_address_is_refused_naming_the_key(string? uri)
    {
        var failure = Assert.Single(Failures(options => options.BrokerUri = uri is null ? null : new Uri(uri)));

        Assert.StartsWith("TokenBrokerClient:BrokerUri ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_broker_address_is_refused()
    {
        Assert.Single(Failures(options => options.BrokerUri = new Uri("/broker", UriKind.Relative)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("api://tokenbroker/.default openid")]
    public void The_broker_scope_must_be_one_scope(string scope)
    {
        var failure = Assert.Single(Failures(Valid(options => options.BrokerScope = scope)));

        Assert.StartsWith("TokenBrokerClient:BrokerScope ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_function_key_is_refused_and_an_unset_one_is_not()
    {
        Assert.StartsWith("TokenBrokerClient:FunctionKey ", Assert.Single(Failures(Valid(options => options.FunctionKey = string.Empty))), StringComparison.Ordinal);
        Assert.Null(Options(Valid()).FunctionKey);
    }

    [Fact]
    public void A_user_assigned_identity_is_named_by_its_client_id()
    {
        Assert.StartsWith("TokenBrokerClient:ManagedIdentityClientId ", Assert.Single(Failures(Valid(options => options.ManagedIdentityClientId = "my-identity"))), StringComparison.Ordinal);
        Assert.NotNull(Options(Valid(options => options.ManagedIdentityClientId = "6f2c1a9e-0d4b-4e8a-9c1f-2b3d4e5f6a7b")));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(61)]
    public void The_safety_margin_is_between_zero_and_an_hour(int minutes)
    {
        var failure = Assert.Single(Failures(Valid(options => options.SafetyMargin = TimeSpan.FromMinutes(minutes))));

        Assert.StartsWith("TokenBrokerClient:SafetyMargin ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var failures = Failures(options =>
        {
            options.BrokerUri = new Uri("http://broker.example.test/");
            options.BrokerScope = "two scopes";
            options.FunctionKey = string.Empty;
            options.ManagedIdentityClientId = "not-a-guid";
            options.SafetyMargin = TimeSpan.FromHours(2);
        });

        Assert.Equal(5, failures.Count);
    }

    [Fact]
    public void The_configuration_section_is_bound_and_code_has_the_last_word()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenBrokerClient:BrokerUri"] = "https://from-configuration.example.test/",
            ["TokenBrokerClient:BrokerScope"] = "api://tokenbroker/.default",
            ["TokenBrokerClient:SafetyMargin"] = "00:02:00",
        }).Build();

        var options = Options(options => options.BrokerScope = "api://from-code/.default", configuration);

        Assert.Equal(new Uri("https://from-configuration.example.test/"), options.BrokerUri);
        Assert.Equal("api://from-code/.default", options.BrokerScope);
        Assert.Equal(TimeSpan.FromMinutes(2), options.SafetyMargin);
    }
}
