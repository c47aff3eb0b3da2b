using Microsoft.Extensions.Options;
using TokenBroker.Caching;
using TokenBroker.Refresh;

namespace TokenBroker.Tests.Refresh;

/// <summary>Refresh points with the default options (75% of the lifetime or 10 minutes before expiry, a 5-minute serving margin).</summary>
public sealed class RefreshPolicyTests
{
    private static readonly DateTimeOffset Acquired = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static readonly ServingPolicy Serving = new(Options.Create(new TokenCacheOptions()));

    private static RefreshPolicy Policy(double jitter = 0, double windowRatio = 0.75) =>
        new(Options.Create(new RefreshOptions { JitterRatio = jitter, WindowRatio = windowRatio }), Serving);

    private static CachedToken Lived(TimeSpan lifetime) => new("token", "Bearer", "api.read", Acquired, Acquired + lifetime, "v1");

    [Theory]
    [InlineData(60, 50)]
    [InlineData(24 * 60, (24 * 60) - 10)]
    [InlineData(30, 22.5)]
    [InlineData(10, 7.5)]
    public void The_refresh_point_is_the_later_of_three_quarters_of_the_lifetime_and_ten_minutes_before_expiry(double lifetimeMinutes, double refreshAfterMinutes)
    {
        var refreshAt = Policy().RefreshAt(Lived(TimeSpan.FromMinutes(lifetimeMinutes)));

        Assert.Equal(Acquired + TimeSpan.FromMinutes(refreshAfterMinutes), refreshAt);
    }

    [Fact]
    public void A_refresh_point_at_or_after_the_last_instant_the_token_is_served_is_pulled_back_before_it()
    {
        var token = Lived(TimeSpan.FromMinutes(60));
        var serveUntil = Serving.ServeUntil(token);

        var refreshAt = Policy(windowRatio: 0.95).RefreshAt(token);

        Assert.Equal(Acquired.AddMinutes(55), serveUntil);
        Assert.True(refreshAt < serveUntil, $"{refreshAt:O} is not before {serveUntil:O}");
        Assert.Equal(Acquired + ((serveUntil - Acquired) * 0.95), refreshAt);
    }

    [Fact]
    public void Jitter_moves_refresh_points_earlier_by_up_to_its_share_of_the_lifetime_and_spreads_them()
    {
        var token = Lived(TimeSpan.FromMinutes(60));
        var policy = Policy(jitter: 0.05);

        var points = Enumerable.Range(0, 200).Select(_ => policy.RefreshAt(token)).ToList();

        Assert.All(points, point => Assert.InRange(point, Acquired.AddMinutes(47), Acquired.AddMinutes(50)));
        Assert.True(points.Distinct().Count() > 1, "every refresh point was the same");
    }

    [Fact]
    public void A_token_without_a_positive_lifetime_is_due_at_once()
    {
        var token = new CachedToken("token", "Bearer", "api.read", Acquired, Acquired, "v1");

        Assert.Equal(Acquired, Policy().RefreshAt(token));
    }

    [Fact]
    public void After_a_refresh_returned_the_same_token_the_next_attempt_is_halfway_to_the_end_of_serving()
    {
        var token = Lived(TimeSpan.FromMinutes(60));
        var now = Acquired.AddMinutes(51);

        Assert.Equal(Acquired.AddMinutes(53), Policy().BackOff(token, now));
        Assert.Equal(Acquired.AddMinutes(56), Policy().BackOff(token, Acquired.AddMinutes(56)));
    }
}
