using Microsoft.Extensions.Options;
using TokenBroker.Caching;
using TokenBroker.Connections;

namespace TokenBroker.Tests.Caching;

public sealed class MemoryTokenCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly TokenCacheKey Key = TokenCacheKey.Create("payments", new Uri("https://x.test/token"), "c", ClientAuthMethod.ClientSecretBasic, ScopeSet.Parse("a"));

    private static MemoryTokenCache Cache(TokenCacheOptions? options = null) => new(new ServingPolicy(Options.Create(options ?? new TokenCacheOptions())));

    private static CachedToken Token(TimeSpan lifetime) => new("t", "Bearer", "a", Now, Now + lifetime, "v");

    [Theory]
    [InlineData(3600, 300)] // 5 minutes is smaller than 10% (6 minutes)
    [InlineData(300, 30)]   // 10% is smaller than 5 minutes
    [InlineData(86400, 300)]
    public void A_token_is_served_only_while_more_than_the_safety_margin_is_left(int lifetimeSeconds, int marginSeconds)
    {
        var cache = Cache();
        cache.Set(Key, Token(TimeSpan.FromSeconds(lifetimeSeconds)), Now, Now);
        var lastServable = Now.AddSeconds(lifetimeSeconds - marginSeconds).AddTicks(-1);

        Assert.True(cache.TryGet(Key, lastServable, out _));
        Assert.False(cache.TryGet(Key, lastServable.AddTicks(1), out _));
    }

    [Fact]
    public void The_margin_is_configurable()
    {
        var cache = Cache(new TokenCacheOptions { SafetyMargin = TimeSpan.FromMinutes(1), SafetyMarginRatio = 0.5 });
        cache.Set(Key, Token(TimeSpan.FromHours(1)), Now, Now);

        Assert.True(cache.TryGet(Key, Now.AddMinutes(59).AddTicks(-1), out _));
        Assert.False(cache.TryGet(Key, Now.AddMinutes(59), out _));
    }

    [Fact]
    public void A_token_that_expires_sooner_never_replaces_one_that_lives_longer()
    {
        var cache = Cache();
        var longer = Token(TimeSpan.FromHours(1));
        cache.Set(Key, longer, Now, Now);
        cache.Set(Key, Token(TimeSpan.FromMinutes(30)), Now, Now);

        Assert.True(cache.TryGet(Key, Now, out var entry));
        Assert.Same(longer, entry.Token);
    }

    [Fact]
    public void Only_one_caller_starts_the_background_refresh_of_an_entry()
    {
        var cache = Cache();
        var entry = cache.Set(Key, Token(TimeSpan.FromHours(1)), Now, Now);

        var starts = Enumerable.Range(0, 1000).AsParallel().Count(_ => entry.TryStartRefresh(Now));

        Assert.Equal(1, starts);
    }

    [Fact]
    public void Last_use_only_moves_forward()
    {
        var entry = Cache().Set(Key, Token(TimeSpan.FromHours(1)), Now, Now);

        entry.Touch(Now.AddMinutes(5));
        entry.Touch(Now.AddMinutes(1));

        Assert.Equal(Now.AddMinutes(5), entry.LastRequested);
    }
}
