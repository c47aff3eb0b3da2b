using TokenBroker.Audit;

namespace TokenBroker.Tests.Audit;

public sealed class DenialRateLimiterTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Denials_beyond_the_limit_are_counted_and_summed_once_when_the_window_ends()
    {
        var limiter = new DenialRateLimiter(limit: 3, TimeSpan.FromMinutes(1), maxCallers: 100);

        var recorded = Enumerable.Range(0, 10).Count(i => limiter.TryAcquire("caller-a", null, Start.AddSeconds(i), out _));
        var next = limiter.TryAcquire("caller-a", null, Start.AddMinutes(1), out var summary);

        Assert.Equal(3, recorded);
        Assert.True(next);
        Assert.Equal(7, summary!.Value.Count);
        Assert.Equal(AuditEvent.DenialsSuppressed, summary.Value.Event);
        Assert.Equal(Start, summary.Value.Since);
    }

    [Fact]
    public void One_callers_flood_leaves_another_callers_denials_recorded()
    {
        var limiter = new DenialRateLimiter(limit: 2, TimeSpan.FromMinutes(1), maxCallers: 100);
        for (var i = 0; i < 1_000; i++)
        {
            limiter.TryAcquire("flooder", null, Start, out _);
        }

        Assert.True(limiter.TryAcquire("quiet", null, Start, out _));
        Assert.True(limiter.TryAcquire("quiet", null, Start, out _));
    }

    [Fact]
    public void A_sweep_sums_ended_windows_even_when_the_caller_stopped_and_forgets_them()
    {
        var limiter = new DenialRateLimiter(limit: 1, TimeSpan.FromMinutes(1), maxCallers: 100);
        limiter.TryAcquire("caller-a", null, Start, out _);
        limiter.TryAcquire("caller-a", null, Start, out _);
        limiter.TryAcquire("caller-b", null, Start, out _);

        Assert.Empty(limiter.Flush(Start.AddSeconds(59)));
        var summaries = limiter.Flush(Start.AddMinutes(1));

        Assert.Equal(1, Assert.Single(summaries).Count);
        Assert.Empty(limiter.Flush(Start.AddMinutes(5)));
    }

    [Fact]
    public void Callers_beyond_the_tracked_number_share_one_window_so_memory_stays_bounded()
    {
        var limiter = new DenialRateLimiter(limit: 5, TimeSpan.FromMinutes(1), maxCallers: 10);

        var recorded = Enumerable.Range(0, 1_000).Count(i => limiter.TryAcquire($"caller-{i}", null, Start, out _));
        var summaries = limiter.Flush(Start, all: true);

        // 10 tracked callers record their first denial each; the other 990 share the limit of 5 and sum the rest.
        Assert.Equal(15, recorded);
        Assert.Equal(985, Assert.Single(summaries).Count);
        Assert.Equal("untracked_callers", summaries[0].Code);
    }
}
