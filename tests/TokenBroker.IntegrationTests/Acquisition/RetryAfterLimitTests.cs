using Azure.Data.Tables;
using TokenBroker.IntegrationTests.Infrastructure.Faults;

namespace TokenBroker.IntegrationTests.Acquisition;

/// <summary>
/// A token endpoint's <c>Retry-After</c> (RFC 9110 §10.2.3: delta-seconds or an HTTP-date) is honoured only up to
/// <c>TokenBroker:TokenEndpoint:RetryAfterLimit</c>, in what callers are told and in the hold stored for every instance.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class RetryAfterLimitTests(IntegrationFixture fixture)
{
    private const int LimitSeconds = 120;
    private const int DefaultSeconds = 10;

    [Theory]
    [InlineData(503, "2147483647", LimitSeconds)]
    [InlineData(429, "2147483647", LimitSeconds)]
    [InlineData(503, "Fri, 31 Dec 2094 23:59:59 GMT", LimitSeconds)]
    [InlineData(503, "0", DefaultSeconds)]
    [InlineData(503, "-5", DefaultSeconds)]
    [InlineData(503, "soon", DefaultSeconds)]
    [InlineData(503, "Thu, 01 Jan 2004 00:00:00 GMT", DefaultSeconds)]
    [InlineData(429, "30", 30)]
    public async Task Retry_after_from_the_token_endpoint_is_clamped_for_callers_and_for_the_shared_hold(int status, string header, int expectedSeconds)
    {
        await using var endpoint = await FaultServer.StartAsync();
        await endpoint.SetFaultAsync(Fault.Status(status, header));
        var settings = fixture.BrokerSettings();
        var table = settings["TokenBroker:TokenCache:TableName"]!;
        settings["TokenBroker:Connections:demo:TokenEndpoint"] = new Uri(endpoint.Uri, "connect/token").AbsoluteUri;
        settings["TokenBroker:TokenEndpoint:MaxRetryAttempts"] = "0";
        settings["TokenBroker:TokenEndpoint:UnavailableRetryAfter"] = $"00:00:{DefaultSeconds}";
        settings["TokenBroker:TokenEndpoint:RetryAfterLimit"] = $"00:0{LimitSeconds / 60}:00";
        await using var broker = await fixture.StartBrokerAsync(settings);

        var before = DateTimeOffset.UtcNow;
        var call = await broker.RequestTokenAsync("demo");
        var held = await broker.RequestTokenAsync("demo");

        Assert.Equal(503, call.Status);
        Assert.Equal(expectedSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), call.RetryAfter);
        Assert.Equal(503, held.Status);
        Assert.True(int.Parse(held.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) <= expectedSeconds);
        var client = new TableClient(fixture.Storage.ConnectionString, table);
        var entity = await client.QueryAsync<TableEntity>(e => e.PartitionKey == "demo").SingleAsync();
        var until = entity.GetDateTimeOffset("RetryAfterUntil");
        Assert.NotNull(until);
        Assert.InRange(until.Value, before, DateTimeOffset.UtcNow.AddSeconds(expectedSeconds + 1));
    }

    [Fact]
    public async Task A_hold_longer_than_the_limit_in_the_table_is_ignored_and_overwritten()
    {
        // A row written by a broker that did not clamp (or tampered with): it must not hold the connection for decades.
        var settings = fixture.BrokerSettings();
        var table = settings["TokenBroker:TokenCache:TableName"]!;
        settings["TokenBroker:TokenEndpoint:RetryAfterLimit"] = "00:02:00";
        await using (var first = await fixture.StartBrokerAsync(settings))
        {
            Assert.Equal(200, (await first.RequestTokenAsync("demo")).Status);
        }

        var client = new TableClient(fixture.Storage.ConnectionString, table);
        var entity = await client.QueryAsync<TableEntity>(e => e.PartitionKey == "demo").SingleAsync();
        entity["RetryAfterUntil"] = new DateTimeOffset(2094, 12, 31, 0, 0, 0, TimeSpan.Zero);
        entity["ExpiresOn"] = DateTimeOffset.UtcNow.AddSeconds(-1);
        await client.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Merge);
        await using var broker = await fixture.StartBrokerAsync(settings);

        var call = await broker.RequestTokenAsync("demo");

        Assert.Equal(200, call.Status);
    }
}
