using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using TokenBroker.Caching;
using TokenBroker.Connections;

namespace TokenBroker.IntegrationTests.Caching;

/// <summary>The shared tier against a real Table service (Azurite).</summary>
[Collection(IntegrationGroup.Name)]
public sealed class TableCacheTests(IntegrationFixture fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task A_token_round_trips_through_table_storage()
    {
        await using var broker = await fixture.StartBrokerAsync();
        var (store, _, key) = Resolve(broker);
        var token = new CachedToken("round-trip-token", "Bearer", "api.read", Now, Now.AddHours(1), "v3");

        Assert.True(await store.WriteTokenAsync(key, token, Context(token), CancellationToken.None));
        var read = (await store.ReadAsync(key, CancellationToken.None)).Entry!.Token;

        Assert.Equal("round-trip-token", read!.AccessToken);
        Assert.Equal(token.ExpiresOn, read.ExpiresOn);
        Assert.Equal(token.AcquiredOn, read.AcquiredOn);
        Assert.Equal("v3", read.SecretVersion);
    }

    [Fact]
    public async Task A_token_larger_than_one_table_property_is_stored_and_read_back()
    {
        await using var broker = await fixture.StartBrokerAsync();
        var (store, _, key) = Resolve(broker);
        var large = string.Concat(Enumerable.Repeat("eyJhbGciOi", 30_000)); // 300 KB
        var token = new CachedToken(large, "Bearer", "api.read", Now, Now.AddHours(1), "v1");

        Assert.True(await store.WriteTokenAsync(key, token, Context(token), CancellationToken.None));

        Assert.Equal(large, (await store.ReadAsync(key, CancellationToken.None)).Entry!.Token!.AccessToken);
    }

    [Fact]
    public async Task Concurrent_writers_leave_one_whole_entity()
    {
        await using var broker = await fixture.StartBrokerAsync();
        var (store, _, key) = Resolve(broker);
        var tokens = Enumerable.Range(0, 20)
            .Select(i => new CachedToken($"writer-{i}-" + new string((char)('a' + i), 70_000 + i), "Bearer", "api.read", Now, Now.AddMinutes(30 + i), $"v{i}"))
            .ToArray();

        var writes = await Task.WhenAll(tokens.Select(t => Task.Run(() => store.WriteTokenAsync(key, t, Context(t), CancellationToken.None))));
        var read = (await store.ReadAsync(key, CancellationToken.None)).Entry!.Token;

        Assert.All(writes, Assert.True);
        var writer = Array.Find(tokens, t => t.AccessToken == read!.AccessToken);
        Assert.NotNull(writer);
        Assert.Equal(writer.ExpiresOn, read!.ExpiresOn);
        Assert.Equal(writer.SecretVersion, read.SecretVersion);
    }

    [Fact]
    public async Task A_token_one_instance_acquired_is_served_by_another_without_a_second_token_request()
    {
        var settings = fixture.BrokerSettings();
        await using var first = await fixture.StartBrokerAsync(settings);
        await using var second = await fixture.StartBrokerAsync(settings);
        var before = fixture.Authorization.Requests.Count;

        var fromFirst = await first.RequestTokenAsync("demo");
        var fromSecond = await second.RequestTokenAsync("demo");

        Assert.Equal(fromFirst.AccessToken, fromSecond.AccessToken);
        Assert.Equal(1, fixture.Authorization.Requests.Count - before);
    }

    [Fact]
    public async Task A_changed_connection_never_gets_the_token_of_the_old_settings()
    {
        var settings = fixture.BrokerSettings();
        await using (var before = await fixture.StartBrokerAsync(settings))
        {
            await before.RequestTokenAsync("demo");
        }

        // Same table, same connection name, another client: the fingerprint differs, so the stored token is not served.
        settings["TokenBroker:Connections:demo:ClientId"] = AuthorizationServer.OtherClientId;
        settings["TokenBroker:Secrets:demo-secret"] = AuthorizationServer.OtherClientSecret;
        await using var after = await fixture.StartBrokerAsync(settings);
        var call = await after.RequestTokenAsync("demo");

        Assert.Equal(AuthorizationServer.OtherClientId, new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(call.AccessToken).Subject);
        var table = after.Services.GetRequiredService<TableClient>();
        var entities = table.Query<TableEntity>(e => e.PartitionKey == "demo").ToList();
        Assert.Equal(2, entities.Count);
        Assert.Equal(
            new[] { AuthorizationServer.ClientId, AuthorizationServer.OtherClientId }.Order(),
            entities.Select(e => e.GetString(TokenEntity.ClientId)).Order());
    }

    [Fact]
    public async Task The_table_holds_no_token_in_clear_and_a_row_copied_elsewhere_does_not_open()
    {
        await using var broker = await fixture.StartBrokerAsync();
        var token = (await broker.RequestTokenAsync("demo")).AccessToken!;
        var table = broker.Services.GetRequiredService<TableClient>();
        var entity = table.Query<TableEntity>(e => e.PartitionKey == "demo").Single();

        var stored = string.Join("|", ((IDictionary<string, object>)entity).Values.Select(v => v is byte[] b ? System.Text.Encoding.UTF8.GetString(b) : v?.ToString()));
        Assert.DoesNotContain(token, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(token[..24], stored, StringComparison.Ordinal);
        Assert.Equal(TokenEntity.CurrentFormat, entity.GetInt32(TokenEntity.Format));
        Assert.False(string.IsNullOrEmpty(entity.GetString(TokenEntity.KeyId)));

        // The same ciphertext under another row key must not decrypt: the row is bound in the associated data.
        var (store, _, otherKey) = Resolve(broker);
        var moved = new TableEntity(entity) { RowKey = otherKey.RowKey };
        await table.UpsertEntityAsync(moved, TableUpdateMode.Replace);
        Assert.Null((await store.ReadAsync(otherKey, CancellationToken.None)).Entry!.Token);
    }

    [Fact]
    public async Task Of_many_instances_racing_for_a_new_entry_exactly_one_takes_the_lease()
    {
        await using var broker = await fixture.StartBrokerAsync();
        var (store, _, key) = Resolve(broker);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() =>
            store.TryTakeLeaseAsync(key, null, "api.read", $"instance-{i}", Now, Now.AddSeconds(30), CancellationToken.None))));

        Assert.Single(outcomes, o => o == LeaseOutcome.Taken);
        Assert.Equal(11, outcomes.Count(o => o == LeaseOutcome.HeldByOther));
    }

    [Fact]
    public async Task A_lease_is_taken_with_if_match_so_a_stale_read_loses_and_an_expired_lease_can_be_taken_over()
    {
        await using var broker = await fixture.StartBrokerAsync();
        var (store, _, key) = Resolve(broker);
        await store.TryTakeLeaseAsync(key, null, "api.read", "crashed-holder", Now, Now.AddSeconds(30), CancellationToken.None);
        var stale = (await store.ReadAsync(key, CancellationToken.None)).Entry!;

        var whileHeld = await store.TryTakeLeaseAsync(key, stale, "api.read", "b", Now.AddSeconds(10), Now.AddSeconds(40), CancellationToken.None);
        var afterExpiry = await store.TryTakeLeaseAsync(key, stale, "api.read", "b", Now.AddSeconds(31), Now.AddSeconds(61), CancellationToken.None);
        var withStaleETag = await store.TryTakeLeaseAsync(key, stale, "api.read", "c", Now.AddSeconds(31), Now.AddSeconds(61), CancellationToken.None);

        Assert.Equal(LeaseOutcome.HeldByOther, whileHeld);
        Assert.Equal(LeaseOutcome.Taken, afterExpiry);
        Assert.Equal(LeaseOutcome.HeldByOther, withStaleETag);
        Assert.Equal("b", (await store.ReadAsync(key, CancellationToken.None)).Entry!.LeaseOwner);
    }

    private static TokenEntityContext Context(CachedToken token) =>
        new("api.read api.write", AuthorizationServer.ClientId, new Uri("https://x.test/token"), token.ExpiresOn.AddMinutes(-10), token.AcquiredOn);

    private static (TableTokenStore Store, Connection Connection, TokenCacheKey Key) Resolve(BrokerInstance broker)
    {
        var registry = broker.Services.GetRequiredService<ConnectionRegistry>();
        registry.TryGet("demo", out var connection);
        return (broker.Services.GetRequiredService<TableTokenStore>(), connection!, connection!.CacheKeyFor(ScopeSet.Parse("api.read api.write")));
    }
}
