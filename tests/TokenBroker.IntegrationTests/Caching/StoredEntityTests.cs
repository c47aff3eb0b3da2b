using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Operations;
using TokenBroker.Refresh;

namespace TokenBroker.IntegrationTests.Caching;

/// <summary>What the broker does with entities someone else wrote: the real TableClient against Azurite, one table per test.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class StoredEntityTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task A_wrongly_typed_property_is_a_miss_that_the_next_fetch_overwrites_and_the_following_read_hits()
    {
        var settings = fixture.BrokerSettings();
        await using (var writer = await fixture.StartBrokerAsync(settings))
        {
            Assert.Equal(200, (await writer.RequestTokenAsync("demo")).Status);
        }

        await using var broker = await fixture.StartBrokerAsync(settings);
        var (table, store, key) = Resolve(broker);
        await table.UpdateEntityAsync(new TableEntity(key.PartitionKey, key.RowKey) { [TokenEntity.ExpiresOn] = "2099-01-01T00:00:00Z" }, Azure.ETag.All, TableUpdateMode.Merge);
        var before = fixture.Authorization.Requests.Count;

        var call = await broker.RequestTokenAsync("demo");

        Assert.Equal(200, call.Status);
        Assert.Equal(1, fixture.Authorization.Requests.Count - before);
        var healed = (await store.ReadAsync(key, CancellationToken.None)).Entry!;
        Assert.Null(healed.Problem);
        Assert.Equal(call.AccessToken, healed.Token!.AccessToken);
        Assert.IsType<DateTimeOffset>((await table.GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey)).Value[TokenEntity.ExpiresOn]);
    }

    [Fact]
    public async Task Two_instances_reading_one_unreadable_entity_race_for_its_lease_by_etag_and_one_wins()
    {
        await using var broker = await fixture.StartBrokerAsync();
        var (table, store, key) = Resolve(broker);
        await broker.RequestTokenAsync("demo");
        await table.UpdateEntityAsync(new TableEntity(key.PartitionKey, key.RowKey) { [TokenEntity.Chunks] = "one" }, Azure.ETag.All, TableUpdateMode.Merge);
        var now = DateTimeOffset.UtcNow;

        var seen = (await store.ReadAsync(key, CancellationToken.None)).Entry!;
        var first = await store.TryTakeLeaseAsync(key, seen, "api.read", "a", now, now.AddSeconds(30), CancellationToken.None);
        var second = await store.TryTakeLeaseAsync(key, seen, "api.read", "b", now, now.AddSeconds(30), CancellationToken.None);

        Assert.NotNull(seen.Problem);
        Assert.Equal(LeaseOutcome.Taken, first);
        Assert.Equal(LeaseOutcome.HeldByOther, second);

        // The winner replaced the whole entity: nothing of the unreadable one survives, so readers see a clean lease.
        var leased = (await store.ReadAsync(key, CancellationToken.None)).Entry!;
        Assert.Null(leased.Problem);
        Assert.Equal("a", leased.LeaseOwner);
        Assert.False((await table.GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey)).Value.ContainsKey(TokenEntity.Chunks));
    }

    [Fact]
    public async Task One_unreadable_entity_is_skipped_by_the_listing_the_refresh_job_and_the_ops_status()
    {
        await using var broker = await fixture.StartBrokerAsync();
        var (table, store, key) = Resolve(broker);
        await broker.RequestTokenAsync("demo");
        await broker.RequestTokenAsync("other");
        await table.UpdateEntityAsync(new TableEntity(key.PartitionKey, key.RowKey) { [TokenEntity.Format] = 3L }, Azure.ETag.All, TableUpdateMode.Merge);
        var logged = fixture.Sink.EmittedCount;

        var listed = await store.ListAsync(CancellationToken.None).ToListAsync();
        var report = await broker.Services.GetRequiredService<TokenRefreshJob>().RunAsync(isPastDue: false, CancellationToken.None);
        var status = await broker.Services.GetRequiredService<OperationsService>().ListAsync(CancellationToken.None);

        Assert.Equal("other", Assert.Single(listed).PartitionKey);
        Assert.Equal(1, report.Examined);
        Assert.Single(status.Single(c => c.Name == "other").Entries);
        Assert.Empty(status.Single(c => c.Name == "demo").Entries);
        Assert.Contains(fixture.Sink.Emitted.Skip(logged), line => line.Contains($"Token cache entity {key.RowKey} of connection demo is unreadable (property Format is Int64, not Int32)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_replayed_ciphertext_with_edited_expiry_and_scope_is_a_miss_never_served()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Refresh:Enabled"] = "false";
        await using var broker = await fixture.StartBrokerAsync(settings, services => services.AddSingleton<TimeProvider>(clock));
        var (table, store, key) = Resolve(broker);
        var old = await broker.RequestTokenAsync("demo");
        var recorded = (await table.GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey)).Value;

        // Two hours later the token is long expired. Someone who can write the table puts the old ciphertext back with a
        // fresh expiry and a wider scope in the clear-text columns.
        clock.Advance(TimeSpan.FromHours(2));
        var replay = new TableEntity(recorded)
        {
            [TokenEntity.ExpiresOn] = clock.GetUtcNow().AddHours(1),
            [TokenEntity.AcquiredOn] = clock.GetUtcNow(),
            [TokenEntity.Scope] = "api.read api.write",
            [TokenEntity.RefreshAt] = clock.GetUtcNow().AddMinutes(45),
        };
        await table.UpsertEntityAsync(replay, TableUpdateMode.Replace);
        broker.Services.GetRequiredService<MemoryTokenCache>().RemoveConnection("demo");
        var read = (await store.ReadAsync(key, CancellationToken.None)).Entry!;

        var call = await broker.RequestTokenAsync("demo");

        Assert.Null(read.Token);
        Assert.Equal(200, call.Status);
        Assert.NotEqual(old.AccessToken, call.AccessToken);
        Assert.Equal("api.read", call.Body.GetProperty("scope").GetString());
        Assert.Equal(call.AccessToken, (await store.ReadAsync(key, CancellationToken.None)).Entry!.Token!.AccessToken);
    }

    [Fact]
    public async Task A_table_read_in_flight_during_an_eviction_does_not_put_the_evicted_token_back_in_memory()
    {
        var settings = fixture.BrokerSettings();
        await using var writer = await fixture.StartBrokerAsync(settings);
        var evicted = await writer.RequestTokenAsync("demo");
        var control = new TableTrafficControl();
        await using var broker = await fixture.StartBrokerAsync(
            settings,
            services => services.AddSingleton(control.Client(fixture.Storage.ConnectionString, settings["TokenBroker:TokenCache:TableName"]!)));

        var held = control.HoldNextEntityRead();
        var inFlight = broker.RequestTokenAsync("demo");
        await held.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(await broker.Services.GetRequiredService<OperationsService>().EvictAsync("demo", CancellationToken.None));
        control.Release();
        var servedDuring = await inFlight;

        var after = await broker.RequestTokenAsync("demo");

        Assert.Equal(evicted.AccessToken, servedDuring.AccessToken);
        Assert.Equal(200, after.Status);
        Assert.NotEqual(evicted.AccessToken, after.AccessToken);
    }

    private static (TableClient Table, TableTokenStore Store, TokenCacheKey Key) Resolve(BrokerInstance broker)
    {
        broker.Services.GetRequiredService<ConnectionRegistry>().TryGet("demo", out var connection);
        return (broker.Services.GetRequiredService<TableClient>(), broker.Services.GetRequiredService<TableTokenStore>(), connection!.DefaultCacheKey);
    }
}
