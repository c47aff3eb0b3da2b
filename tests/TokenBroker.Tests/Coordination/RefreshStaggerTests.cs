using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Coordination;

/// <summary>
/// An instance that took a token from the table (another instance fetched it) starts its hit-driven refresh a stagger
/// after the entry's refresh point, so the fetcher refreshes first; the refresh writes the last use it saw. The table is
/// Moq over TableClient serving an entity another instance sealed; the fleet over Azurite is in the integration tests.
/// </summary>
public sealed class RefreshStaggerTests : IDisposable
{
    private readonly CoreHarness _harness = Harness("00:00:20");
    private readonly DateTimeOffset _start;
    private int _reads;
    private TableEntity? _written;

    public RefreshStaggerTests()
    {
        _start = _harness.Time.GetUtcNow();
        ServeFetchedElsewhere(_harness, () => Interlocked.Increment(ref _reads), entity => _written = entity);
    }

    private static CoreHarness Harness(string stagger) => new(new Dictionary<string, string?>
    {
        ["TokenBroker:Refresh:JitterRatio"] = "0",
        ["TokenBroker:Coordination:RefreshStagger"] = stagger,
    });

    // Another instance fetched a one-hour token 5 minutes ago: refresh point in 40 minutes, served for 50 (a 5-minute margin).
    private static void ServeFetchedElsewhere(CoreHarness harness, Action onRead, Action<TableEntity> onWrite)
    {
        var start = harness.Time.GetUtcNow();
        var stored = new CachedToken("fetched-elsewhere", "Bearer", "api.read", start.AddMinutes(-5), start.AddMinutes(55), "v1");
        harness.Table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>("payments", It.IsAny<string>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .Returns(async (string _, string _, IEnumerable<string> _, CancellationToken _) =>
            {
                onRead();
                var key = PaymentsOf(harness).DefaultCacheKey;
                var sealedToken = await harness.Services.GetRequiredService<TokenProtector>().SealAsync(key, stored, CancellationToken.None);
                var entity = TokenEntity.ToEntity(key, stored, sealedToken!, new TokenEntityContext("api.read", "payments-client", new Uri("https://x.test/t"), start.AddMinutes(40), start))!;
                entity.ETag = new ETag("W/\"1\"");
                return (NullableResponse<TableEntity>)Response.FromValue(entity, Mock.Of<Response>());
            });
        harness.Table.Setup(t => t.UpsertEntityAsync(It.IsAny<TableEntity>(), TableUpdateMode.Replace, It.IsAny<CancellationToken>()))
            .Callback<TableEntity, TableUpdateMode, CancellationToken>((entity, _, _) => onWrite(entity))
            .ReturnsAsync(Mock.Of<Response>());
    }

    private static Connection PaymentsOf(CoreHarness harness) =>
        harness.Services.GetRequiredService<ConnectionRegistry>().TryGet("payments", out var connection) ? connection : throw new InvalidOperationException();

    public void Dispose() => _harness.Dispose();

    private Connection Payments => PaymentsOf(_harness);

    private async Task<string> GetAsync() => (await _harness.Broker.GetTokenAsync("payments", null, CancellationToken.None)).Token!.AccessToken;

    [Fact]
    public async Task Hits_on_an_instance_that_took_the_token_from_the_table_start_no_refresh_until_a_stagger_after_the_refresh_point()
    {
        Assert.Equal("fetched-elsewhere", await GetAsync());

        // Past the shared refresh point, inside the stagger (20 to 40 s): served from memory, no read, no fetch.
        _harness.Time.Advance(TimeSpan.FromMinutes(40) + TimeSpan.FromSeconds(19));
        Assert.Equal("fetched-elsewhere", await GetAsync());
        await Task.Delay(100);
        Assert.Equal((1, 0), (Volatile.Read(ref _reads), _harness.Endpoint.Count));

        // Past the longest stagger: the hit starts the refresh, which finds the token still due and fetches.
        _harness.Time.Advance(TimeSpan.FromSeconds(22));
        Assert.Equal("fetched-elsewhere", await GetAsync());
        await WaitUntil(() => _harness.Endpoint.Count == 1 && _written is not null);

        Assert.Equal(2, Volatile.Read(ref _reads));
        Assert.NotEqual("fetched-elsewhere", await GetAsync());
    }

    [Fact]
    public async Task A_refresh_writes_the_last_use_this_instance_saw_so_the_others_need_no_usage_mark()
    {
        await GetAsync();
        _harness.Time.Advance(TimeSpan.FromMinutes(45));
        var lastUse = _harness.Time.GetUtcNow();

        await GetAsync();
        await WaitUntil(() => _written is not null);

        // The entity said its last use was at the start; this instance's callers used it 45 minutes later.
        Assert.Equal(lastUse, _written!.GetDateTimeOffset(TokenEntity.LastRequestedOn));
    }

    [Fact]
    public async Task The_instance_that_fetched_a_token_refreshes_it_at_its_refresh_point_without_a_stagger()
    {
        _harness.Table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Mock.Of<NullableResponse<TableEntity>>(r => r.HasValue == false));
        var first = await GetAsync();

        // One-hour token fetched here, no jitter: the refresh point is 50 minutes in.
        _harness.Time.Advance(TimeSpan.FromMinutes(50) + TimeSpan.FromSeconds(1));
        Assert.Equal(first, await GetAsync());
        await WaitUntil(() => _harness.Endpoint.Count == 2);
    }

    [Fact]
    public async Task The_stagger_ends_by_half_of_the_refresh_window_however_long_it_is_set()
    {
        // Five minutes of stagger, the most allowed, against a window of 10 (refresh point at 40 minutes, served until 50).
        using var harness = Harness("00:05:00");
        ServeFetchedElsewhere(harness, () => { }, _ => { });
        await harness.Broker.GetTokenAsync("payments", null, CancellationToken.None);

        Assert.True(harness.Services.GetRequiredService<MemoryTokenCache>().TryGet(PaymentsOf(harness).DefaultCacheKey, harness.Time.GetUtcNow(), out var entry));
        Assert.Equal(_start.AddMinutes(40), entry.RefreshAt);
        Assert.Equal(_start.AddMinutes(45), entry.StaggeredRefreshAt);
    }

    // Background work runs on the real thread pool, which a loaded machine can starve for seconds: wait up to 30 s.
    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 1200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}
