using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Refresh;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Refresh;

/// <summary>
/// Usage marks are written only when they move what the table is known to hold by the threshold (a 24th of the idle
/// timeout, one hour by default): what this instance last read or wrote counts, not only its own marks.
/// </summary>
public sealed class UsageMarkerTests : IDisposable
{
    private readonly CoreHarness _harness = new();
    private readonly List<DateTimeOffset> _marks = [];

    public UsageMarkerTests()
    {
        // Another instance fetched a three-hour token and wrote its callers' last use with it, just now.
        var start = _harness.Time.GetUtcNow();
        var stored = new CachedToken("fetched-elsewhere", "Bearer", "api.read", start, start.AddHours(3), "v1");
        _harness.Table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>("payments", It.IsAny<string>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .Returns(async (string _, string _, IEnumerable<string> _, CancellationToken _) =>
            {
                var key = Payments.DefaultCacheKey;
                var sealedToken = await _harness.Services.GetRequiredService<TokenProtector>().SealAsync(key, stored, CancellationToken.None);
                var entity = TokenEntity.ToEntity(key, stored, sealedToken!, new TokenEntityContext("api.read", "payments-client", new Uri("https://x.test/t"), start.AddHours(2), start))!;
                return (NullableResponse<TableEntity>)Response.FromValue(entity, Mock.Of<Response>());
            });
        _harness.Table.Setup(t => t.UpdateEntityAsync(It.IsAny<TableEntity>(), ETag.All, TableUpdateMode.Merge, It.IsAny<CancellationToken>()))
            .Callback<TableEntity, ETag, TableUpdateMode, CancellationToken>((entity, _, _, _) => _marks.Add(entity.GetDateTimeOffset(TokenEntity.LastRequestedOn)!.Value))
            .ReturnsAsync(Mock.Of<Response>());
    }

    public void Dispose() => _harness.Dispose();

    private Connection Payments =>
        _harness.Services.GetRequiredService<ConnectionRegistry>().TryGet("payments", out var connection) ? connection : throw new InvalidOperationException();

    private UsageMarker Marker => _harness.Services.GetRequiredService<UsageMarker>();

    private async Task UseAsync() => Assert.True((await _harness.Broker.GetTokenAsync("payments", null, CancellationToken.None)).Succeeded);

    [Fact]
    public async Task Uses_within_the_threshold_of_the_last_use_read_from_the_table_write_no_mark()
    {
        await UseAsync();
        _harness.Time.Advance(TimeSpan.FromMinutes(59));
        await UseAsync();

        Assert.Equal(0, await Marker.MarkAsync(CancellationToken.None));
        Assert.Empty(_marks);
    }

    [Fact]
    public async Task A_use_a_threshold_past_the_last_use_read_from_the_table_is_marked_once()
    {
        await UseAsync();
        _harness.Time.Advance(TimeSpan.FromMinutes(61));
        await UseAsync();
        var used = _harness.Time.GetUtcNow();

        Assert.Equal(1, await Marker.MarkAsync(CancellationToken.None));
        Assert.Equal(0, await Marker.MarkAsync(CancellationToken.None));
        Assert.Equal([used], _marks);
    }
}
