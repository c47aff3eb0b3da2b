using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenBroker.Coordination;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Coordination;

public sealed class PeerPollScheduleTests
{
    private static readonly TimeSpan LongestGap = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_first_read_comes_when_the_holders_fetch_usually_lands()
    {
        var clock = new FakeTimeProvider();
        var schedule = new PeerPollSchedule(clock, TimeSpan.FromMilliseconds(200), LongestGap, 20, Wait);

        var first = schedule.WaitForNextReadAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(first.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await first.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, schedule.Reads);
    }

    [Fact]
    public void Without_a_known_fetch_time_the_reads_start_short_and_back_off_up_to_the_longest_gap()
    {
        var reads = Instants(expected: null, limit: 100, wait: Wait);

        Assert.Equal(PeerPollSchedule.ShortestGap, reads[0]);
        Assert.Equal(PeerPollSchedule.ShortestGap * 2, reads[1]);
        Assert.Equal(PeerPollSchedule.ShortestGap * 3, reads[2]);
        Assert.Equal(TimeSpan.FromMilliseconds(22.5), reads[3]);
        var gaps = reads.Zip(reads.Skip(1), (a, b) => b - a).ToList();

        // Every gap but the last, cut short by the end of the wait, is at least the one before.
        Assert.All(gaps.Zip(gaps.Skip(1)).SkipLast(1), pair => Assert.True(pair.Second >= pair.First));
        Assert.All(gaps, gap => Assert.True(gap <= LongestGap));
        Assert.Equal(LongestGap, gaps[^2]);
        Assert.Equal(Wait, reads[^1]);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(37)]
    [InlineData(210)]
    [InlineData(1_500)]
    [InlineData(6_000)]
    public void A_token_that_lands_is_seen_within_half_the_time_it_took_or_one_longest_gap(int landsAfterMilliseconds)
    {
        var lands = TimeSpan.FromMilliseconds(landsAfterMilliseconds);
        var reads = Instants(expected: TimeSpan.FromMilliseconds(4), limit: 100, wait: Wait);

        var seen = reads.First(read => read >= lands);

        var bound = lands + Min(Max(lands / 2, PeerPollSchedule.ShortestGap), LongestGap);
        Assert.True(seen <= bound, $"seen at {seen.TotalMilliseconds} ms for a token that landed at {lands.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_waiting_instance_never_reads_more_than_its_limit_and_its_last_read_ends_the_wait()
    {
        var clock = new FakeTimeProvider();
        var schedule = new PeerPollSchedule(clock, TimeSpan.FromMilliseconds(20), LongestGap, 6, Wait);

        // Off the test framework's synchronization context, so each read resumes inside the Advance that makes it due.
        var instants = await Task.Run(async () =>
        {
            var seen = new List<TimeSpan>();
            var started = clock.GetUtcNow();
            while (true)
            {
                var next = schedule.WaitForNextReadAsync(CancellationToken.None);
                for (var i = 0; i < 20_000 && !next.IsCompleted; i++)
                {
                    clock.Advance(TimeSpan.FromMilliseconds(1));
                }

                if (!await next)
                {
                    return seen;
                }

                seen.Add(clock.GetUtcNow() - started);
            }
        });

        Assert.Equal(6, schedule.Reads);
        // Due at 20, 30, 45, 67.5, 101.25 ms and, the last read allowed, at the end of the wait (the clock moves by whole ms).
        double[] due = [20, 30, 45, 67.5, 101.25, 10_000];
        Assert.Equal(due.Length, instants.Count);
        Assert.All(due.Zip(instants), pair => Assert.InRange(pair.Second.TotalMilliseconds, pair.First - 1, pair.First + 1));
    }

    [Fact]
    public async Task The_first_read_counts_from_the_holders_start_when_it_began_before_the_wait()
    {
        var clock = new FakeTimeProvider();
        var schedule = new PeerPollSchedule(clock, TimeSpan.FromMilliseconds(200), LongestGap, 20, Wait, holderHeadStart: TimeSpan.FromMilliseconds(150));

        var first = schedule.WaitForNextReadAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromMilliseconds(49));
        Assert.False(first.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await first.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_holder_that_started_long_ago_is_read_at_once_and_the_next_read_backs_off_from_then()
    {
        var clock = new FakeTimeProvider();
        var schedule = new PeerPollSchedule(clock, TimeSpan.FromMilliseconds(20), LongestGap, 20, Wait, holderHeadStart: TimeSpan.FromSeconds(3));

        Assert.True(await schedule.WaitForNextReadAsync(CancellationToken.None));

        // Not 20 ms + 10 ms (long past, so read at once again): half of the 3 s waited, at most the longest gap.
        var second = schedule.WaitForNextReadAsync(CancellationToken.None);
        clock.Advance(LongestGap - TimeSpan.FromMilliseconds(1));
        Assert.False(second.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await second.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, schedule.Reads);
    }

    [Fact]
    public async Task A_head_start_moves_the_reads_earlier_but_never_shortens_the_wait()
    {
        var clock = new FakeTimeProvider();
        var schedule = new PeerPollSchedule(clock, TimeSpan.FromMilliseconds(20), LongestGap, 2, Wait, holderHeadStart: TimeSpan.FromHours(1));

        Assert.True(await schedule.WaitForNextReadAsync(CancellationToken.None));
        var last = schedule.WaitForNextReadAsync(CancellationToken.None);
        clock.Advance(Wait - TimeSpan.FromMilliseconds(1));
        Assert.False(last.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await last.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(await schedule.WaitForNextReadAsync(CancellationToken.None));
        Assert.Equal(2, schedule.Reads);
    }

    [Fact]
    public void The_wait_ends_at_peer_wait_even_with_reads_left()
    {
        var reads = Instants(expected: TimeSpan.FromMilliseconds(50), limit: 100, wait: TimeSpan.FromMilliseconds(300));

        Assert.Equal(TimeSpan.FromMilliseconds(300), reads[^1]);
        Assert.True(reads.Count < 100);
        Assert.All(reads, read => Assert.True(read <= TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task No_peer_wait_means_no_read()
    {
        var schedule = new PeerPollSchedule(new FakeTimeProvider(), TimeSpan.FromMilliseconds(5), LongestGap, 20, TimeSpan.Zero);

        Assert.False(await schedule.WaitForNextReadAsync(CancellationToken.None));
        Assert.Equal(0, schedule.Reads);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("101")]
    public void A_read_limit_out_of_range_is_refused_at_start_up_with_its_key(string limit)
    {
        using var harness = new CoreHarness(new Dictionary<string, string?> { ["TokenBroker:Coordination:PeerReadLimit"] = limit });

        var error = Assert.Throws<OptionsValidationException>(() => harness.Services.GetRequiredService<IOptions<CoordinationOptions>>().Value);

        Assert.Contains("TokenBroker:Coordination:PeerReadLimit must be between 2 and 100.", error.Failures);
    }

    // The instants of every read a schedule allows, from the start of the wait.
    private static List<TimeSpan> Instants(TimeSpan? expected, int limit, TimeSpan wait)
    {
        var reads = new List<TimeSpan>();
        var previous = TimeSpan.Zero;
        while (reads.Count < limit && (reads.Count == 0 || previous < wait))
        {
            previous = PeerPollSchedule.NextRead(reads.Count, previous, expected, LongestGap, limit, wait);
            reads.Add(previous);
        }

        return reads;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
