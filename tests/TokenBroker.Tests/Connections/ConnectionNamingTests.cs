using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenBroker.Access;
using TokenBroker.Connections;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Connections;

/// <summary>
/// A connection's name may differ from its configuration key, because App Service setting names cannot carry every name
/// the broker accepts (no '-'): <c>TokenBroker__Connections__payments_eu__Name = payments-eu</c>.
/// </summary>
public sealed class ConnectionNamingTests
{
    private static Dictionary<string, string?> Connection(string key, string? name = null, string clientId = "eu-client")
    {
        var settings = new Dictionary<string, string?>
        {
            [$"TokenBroker:Connections:{key}:TokenEndpoint"] = "https://login.example.test/eu/token",
            [$"TokenBroker:Connections:{key}:ClientId"] = clientId,
            [$"TokenBroker:Connections:{key}:SecretName"] = "payments-secret",
            [$"TokenBroker:Connections:{key}:Scopes"] = "api.read",
        };
        if (name is not null)
        {
            settings[$"TokenBroker:Connections:{key}:Name"] = name;
        }

        return settings;
    }

    private static OptionsValidationException Invalid(Dictionary<string, string?> settings)
    {
        using var harness = new CoreHarness(settings);
        return Assert.Throws<OptionsValidationException>(() => harness.Services.GetRequiredService<IOptions<TokenBrokerOptions>>().Value);
    }

    [Fact]
    public void A_section_with_a_name_serves_the_connection_under_that_name_only()
    {
        using var harness = new CoreHarness(Connection("payments_eu", "payments-eu"));
        var registry = harness.Services.GetRequiredService<ConnectionRegistry>();

        Assert.True(registry.TryGet("payments-eu", out var connection));
        Assert.Equal("payments-eu", connection.Name);
        Assert.Equal("eu-client", connection.ClientId);
        Assert.False(registry.TryGet("payments_eu", out _));
        Assert.True(registry.TryGet("payments", out _));
    }

    [Fact]
    public async Task A_named_section_serves_tokens_under_its_name()
    {
        using var harness = new CoreHarness(Connection("payments_eu", "payments-eu"));

        var result = await harness.Broker.GetTokenAsync("payments-eu", null, CancellationToken.None);

        Assert.True(result.Succeeded, result.Error?.ToString());
        var request = Assert.Single(harness.Endpoint.Requests);
        Assert.Equal("https://login.example.test/eu/token", request.Uri.AbsoluteUri);
    }

    [Fact]
    public void Two_sections_with_the_same_name_are_refused_naming_both_keys()
    {
        var settings = Connection("payments_eu", "payments-eu");
        foreach (var (key, value) in Connection("PAYMENTS-EU", clientId: "other"))
        {
            settings[key] = value;
        }

        var error = Invalid(settings);

        Assert.Contains(
            error.Failures,
            f => f.Contains("TokenBroker:Connections:payments_eu", StringComparison.Ordinal)
                && f.Contains("TokenBroker:Connections:PAYMENTS-EU", StringComparison.Ordinal)
                && f.Contains("names must be unique", StringComparison.Ordinal));
    }

    [Fact]
    public void A_name_the_broker_does_not_accept_is_refused_naming_the_name_key()
    {
        var error = Invalid(Connection("payments_eu", "payments/eu"));

        Assert.Contains(error.Failures, f => f.StartsWith("TokenBroker:Connections:payments_eu:Name must be 1 to 64 characters", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_name_a_key_the_broker_does_not_accept_is_refused()
    {
        var error = Invalid(Connection("-payments"));

        Assert.Contains(error.Failures, f => f.StartsWith("TokenBroker:Connections:-payments: the connection name must be", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_that_is_another_connections_name_is_refused()
    {
        // "payments" is the key of the default connection and here also the name of another: an access rule naming
        // "payments" could mean either.
        var error = Invalid(Connection("legacy", "payments"));

        Assert.Contains(error.Failures, f => f.Contains("both name the connection 'payments'", StringComparison.Ordinal));

        var crossed = Connection("eu", "payments-eu");
        foreach (var (key, value) in Connection("payments-eu", "payments-west"))
        {
            crossed[key] = value;
        }

        Assert.Contains(
            Invalid(crossed).Failures,
            f => f.StartsWith("TokenBroker:Connections:payments-eu is keyed by the name of the connection configured under TokenBroker:Connections:eu", StringComparison.Ordinal));
    }

    [Fact]
    public void Access_rules_may_refer_to_a_connection_by_its_setting_safe_key()
    {
        var settings = Connection("payments_eu", "payments-eu");
        settings["TokenBroker:Access:Rules:0:AppId"] = "orders";
        settings["TokenBroker:Access:Rules:0:Connections:payments_eu"] = "api.read";
        using var harness = new CoreHarness(settings);
        var policy = harness.Services.GetRequiredService<AccessPolicy>();
        Assert.True(harness.Services.GetRequiredService<ConnectionRegistry>().TryGet("payments-eu", out var connection));
        var orders = new Caller(CallerMode.Jwt, "orders", null, ImmutableArray<string>.Empty);

        Assert.True(policy.Evaluate(orders, connection, ScopeSet.Parse("api.read")).Allowed);
    }

    [Fact]
    public void An_access_rule_naming_no_connection_by_name_or_key_is_refused()
    {
        var settings = Connection("payments_eu", "payments-eu");
        settings["TokenBroker:Access:Rules:0:AppId"] = "orders";
        settings["TokenBroker:Access:Rules:0:Connections:payments_us"] = "api.read";
        using var harness = new CoreHarness(settings);

        var error = Assert.Throws<OptionsValidationException>(() => harness.Services.GetRequiredService<IOptions<AccessOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("TokenBroker:Access:Rules:0:Connections:payments_us names no configured connection", StringComparison.Ordinal));
    }
}
