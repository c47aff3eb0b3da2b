using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TokenBroker.Connections;
using TokenBroker.Coordination;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Coordination;

public sealed class FetchLatencyTests
{
    private static readonly Dictionary<string, string?> TwoConnectionsOneServer = new()
    {
        ["TokenBroker:Connections:billing:TokenEndpoint"] = "https://login.example.test/other-tenant/token",
        ["TokenBroker:Connections:billing:ClientId"] = "billing-client",
        ["TokenBroker:Connections:billing:SecretName"] = "payments-secret",
        ["TokenBroker:Connections:billing:Scopes"] = "api.read",
        ["TokenBroker:Connections:audit:TokenEndpoint"] = "https://sts.elsewhere.test/token",
        ["TokenBroker:Connections:audit:ClientId"] = "audit-client",
        ["TokenBroker:Connections:audit:SecretName"] = "payments-secret",
        ["TokenBroker:Connections:audit:Scopes"] = "api.read",
    };

    [Fact]
    public void Nothing_is_expected_before_any_fetch()
    {
        var (payments, _, _) = Connections();

        Assert.Null(new FetchLatency(new FakeTimeProvider()).Expected(payments));
    }

    [Fact]
    public void A_connection_never_fetched_here_expects_the_fetch_time_of_its_authorization_server()
    {
        var (payments, billing, audit) = Connections();
        var latency = new FetchLatency(new FakeTimeProvider());

        latency.Observe(payments, TimeSpan.FromMilliseconds(180));
        latency.Observe(payments, TimeSpan.FromMilliseconds(180));

        Assert.Equal(TimeSpan.FromMilliseconds(180), latency.Expected(payments));
        Assert.Equal(TimeSpan.FromMilliseconds(180), latency.Expected(billing));
        Assert.Null(latency.Expected(audit));
    }

    [Fact]
    public void One_fetch_alone_is_not_trusted()
    {
        var (payments, billing, _) = Connections();
        var latency = new FetchLatency(new FakeTimeProvider());

        latency.Observe(payments, TimeSpan.FromSeconds(2));

        Assert.Null(latency.Expected(payments));
        Assert.Null(latency.Expected(billing));
    }

    [Fact]
    public void A_faster_fetch_is_adopted_at_once()
    {
        var (payments, _, _) = Connections();
        var latency = new FetchLatency(new FakeTimeProvider());

        // A process's first fetch pays for JIT and new connections; the next one shows what the server takes.
        latency.Observe(payments, TimeSpan.FromSeconds(2));
        latency.Observe(payments, TimeSpan.FromMilliseconds(90));

        Assert.Equal(TimeSpan.FromMilliseconds(90), latency.Expected(payments));
    }

    [Fact]
    public void One_stalled_fetch_counts_as_at_most_twice_the_average()
    {
        var (payments, _, _) = Connections();
        var latency = new FetchLatency(new FakeTimeProvider());
        latency.Observe(payments, TimeSpan.FromMilliseconds(100));
        latency.Observe(payments, TimeSpan.FromMilliseconds(100));

        latency.Observe(payments, TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromMilliseconds(125), latency.Expected(payments));
    }

    [Fact]
    public void The_expected_time_follows_a_lasting_change_of_the_server()
    {
        var (payments, _, _) = Connections();
        var latency = new FetchLatency(new FakeTimeProvider());
        latency.Observe(payments, TimeSpan.FromMilliseconds(10));

        for (var i = 0; i < 30; i++)
        {
            latency.Observe(payments, TimeSpan.FromMilliseconds(200));
        }

        Assert.InRange(latency.Expected(payments)!.Value.TotalMilliseconds, 195, 200);
    }

    [Fact]
    public void The_broker_times_fetches_on_the_real_clock_even_when_its_token_clock_is_fake()
    {
        using var harness = new CoreHarness();

        Assert.Same(TimeProvider.System, harness.Services.GetRequiredService<FetchLatency>().Clock);
    }

    private static (Connection Payments, Connection Billing, Connection Audit) Connections()
    {
        using var harness = new CoreHarness(TwoConnectionsOneServer);
        var registry = harness.Services.GetRequiredService<ConnectionRegistry>();
        return (Get("payments"), Get("billing"), Get("audit"));

        Connection Get(string name) => registry.TryGet(name, out var connection) ? connection : throw new InvalidOperationException(name);
    }
}
