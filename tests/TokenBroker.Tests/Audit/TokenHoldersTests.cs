using System.Collections.Immutable;
using TokenBroker.Access;
using TokenBroker.Audit;
using TokenBroker.Caching;

namespace TokenBroker.Tests.Audit;

public sealed class TokenHoldersTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_first_delivery_adds_a_holder_and_later_ones_only_count()
    {
        var holders = NewHolders();
        var caller = Jwt("app-a", "oid-a");

        Assert.False(holders.TryCount(caller));
        Assert.NotNull(holders.Add(caller, Now, "memory", "payments", "api.read"));
        Assert.True(holders.TryCount(caller));
        Assert.True(holders.TryCount(caller));

        Assert.Equal(3, Assert.Single(holders.All).Deliveries);
    }

    [Fact]
    public void Two_requests_of_one_caller_are_one_pair_though_each_request_makes_its_own_caller()
    {
        var holders = NewHolders();
        holders.Add(Jwt("app-a", "oid-a"), Now, "memory", "payments", "api.read");

        Assert.True(holders.TryCount(Jwt("app-a", "oid-a")));
        Assert.False(holders.TryCount(Jwt("app-a", "oid-b")));
        Assert.False(holders.TryCount(null));
    }

    [Fact]
    public void Callers_beyond_the_scanned_ones_are_still_one_pair_each()
    {
        var holders = NewHolders();
        var callers = Enumerable.Range(0, 40).Select(i => Jwt($"app-{i}", null)).ToList();
        foreach (var caller in callers)
        {
            Assert.NotNull(holders.Add(caller, Now, "memory", "payments", "api.read"));
        }

        foreach (var caller in callers)
        {
            Assert.True(holders.TryCount(Jwt(caller.AppId, null)));
        }

        Assert.Equal(40, holders.All.Count);
        Assert.All(holders.All, holder => Assert.Equal(2, holder.Deliveries));
    }

    [Fact]
    public void Concurrent_first_deliveries_to_one_caller_make_one_holder_and_every_delivery_counts()
    {
        var holders = NewHolders();
        var added = 0;
        Parallel.For(0, 1_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            var caller = Jwt("app-a", "oid-a");
            if (!holders.TryCount(caller) && holders.Add(caller, Now, "memory", "payments", "api.read") is not null)
            {
                Interlocked.Increment(ref added);
            }
        });

        Assert.Equal(1, added);
        Assert.Equal(1_000, Assert.Single(holders.All).Deliveries);
    }

    [Fact]
    public void The_fingerprint_is_the_start_of_the_tokens_sha256_in_hex()
    {
        // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad (FIPS 180-2, appendix B.1).
        Assert.Equal("ba7816bf8f01cfea", TokenFingerprint.Of("abc"));
    }

    private static TokenHolders NewHolders() =>
        new(new TokenCacheKey("payments", "row"), new CachedToken("token-value-0123456789", "Bearer", "api.read", Now, Now.AddHours(1), "v1"));

    private static Caller Jwt(string? appId, string? objectId) => new(CallerMode.Jwt, appId, objectId, ImmutableArray<string>.Empty);
}
