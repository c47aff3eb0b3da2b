using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Coordination;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Coordination;

/// <summary>
/// What counts as good enough for each fetch mode, and the holds and eviction guard of one instance. The table is Moq over
/// TableClient answering "no entity" (happy path); leases between instances over Azurite are in the integration tests.
/// </summary>
public sealed class CoordinatedFetcherTests : IDisposable
{
    private readonly CoreHarness _harness = new(new Dictionary<string, string?> { ["TokenBroker:Refresh:JitterRatio"] = "0" });

    public void Dispose() => _harness.Dispose();

    private CoordinatedFetcher Fetcher => _harness.Services.GetRequiredService<CoordinatedFetcher>();

    private MemoryTokenCache Memory => _harness.Services.GetRequiredService<MemoryTokenCache>();

    private Connection Payments =>
        _harness.Services.GetRequiredService<ConnectionRegistry>().TryGet("payments", out var connection) ? connection : throw new InvalidOperationException();

    private Task<FetchResult> Fetch(FetchMode mode) =>
        Fetcher.FetchAsync(Payments, Payments.DefaultCacheKey, Payments.DefaultScopes, mode, CancellationToken.None);

    private CachedToken? InMemory() =>
        Memory.TryGet(Payments.DefaultCacheKey, _harness.Time.GetUtcNow(), out var entry) ? entry.Token : null;

    private void Throttle(int seconds) => _harness.Endpoint.Respond = _ =>
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        return Task.FromResult(response);
    };

    [Fact]
    public async Task A_fetched_token_lands_in_memory_and_the_next_request_is_served_from_it()
    {
        var fetched = await Fetch(FetchMode.Request);
        var served = await Fetch(FetchMode.Request);

        Assert.Equal(FetchOutcome.Fetched, fetched.Outcome);
        Assert.Equal(FetchOutcome.Served, served.Outcome);
        Assert.Same(fetched.Result.Token, served.Result.Token);
        Assert.Same(fetched.Result.Token, InMemory());
        Assert.Equal(1, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_refresh_is_served_the_current_token_until_its_refresh_point_and_fetches_after_it()
    {
        var first = (await Fetch(FetchMode.Request)).Result.Token;

        // One hour token, no jitter: the refresh point is 50 minutes in, serving stops at 55.
        _harness.Time.Advance(TimeSpan.FromMinutes(49));
        var early = await Fetch(FetchMode.Refresh);
        _harness.Time.Advance(TimeSpan.FromMinutes(2));
        var due = await Fetch(FetchMode.Refresh);

        Assert.Equal(FetchOutcome.Served, early.Outcome);
        Assert.Equal(FetchOutcome.Fetched, due.Outcome);
        Assert.NotSame(first, due.Result.Token);
        Assert.Same(due.Result.Token, InMemory());
        Assert.Equal(2, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_request_takes_a_token_in_its_refresh_window_without_calling_the_server()
    {
        var first = (await Fetch(FetchMode.Request)).Result.Token;

        _harness.Time.Advance(TimeSpan.FromMinutes(52));
        var request = await Fetch(FetchMode.Request);

        Assert.Equal(FetchOutcome.Served, request.Outcome);
        Assert.Same(first, request.Result.Token);
        Assert.Equal(1, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_forced_fetch_replaces_even_a_fresh_token()
    {
        var first = (await Fetch(FetchMode.Request)).Result.Token;

        // A minute later, so the new token does not expire when the first one does (that would be SameToken).
        _harness.Time.Advance(TimeSpan.FromMinutes(1));
        var forced = await Fetch(FetchMode.Forced);

        Assert.Equal(FetchOutcome.Fetched, forced.Outcome);
        Assert.NotSame(first, forced.Result.Token);
        Assert.Same(forced.Result.Token, InMemory());
        Assert.Equal(2, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_retry_after_holds_later_requests_on_this_instance_until_it_has_passed()
    {
        Throttle(30);
        var throttled = await Fetch(FetchMode.Request);
        _harness.Time.Advance(TimeSpan.FromSeconds(10));
        var held = await Fetch(FetchMode.Request);
        _harness.Time.Advance(TimeSpan.FromSeconds(21));
        var after = await Fetch(FetchMode.Request);

        Assert.Equal(FetchOutcome.Failed, throttled.Outcome);
        Assert.Equal(FetchOutcome.Held, held.Outcome);
        Assert.Equal(TokenErrorKind.UpstreamUnavailable, held.Result.Error!.Kind);
        Assert.Equal(TimeSpan.FromSeconds(20), held.Result.Error.RetryAfter);
        Assert.Equal(FetchOutcome.Failed, after.Outcome);
        Assert.Equal(2, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_forced_fetch_ignores_a_hold()
    {
        Throttle(30);
        await Fetch(FetchMode.Request);
        _harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(HttpStatusCode.OK, """{"access_token":"after-rotation","token_type":"Bearer","expires_in":3600}"""));

        var forced = await Fetch(FetchMode.Forced);

        Assert.Equal(FetchOutcome.Fetched, forced.Outcome);
        Assert.Equal("after-rotation", forced.Result.Token!.AccessToken);
    }

    [Fact]
    public async Task Clearing_a_connections_holds_lets_the_next_request_call_the_server()
    {
        Throttle(30);
        await Fetch(FetchMode.Request);
        _harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(HttpStatusCode.OK, """{"access_token":"after-clear","token_type":"Bearer","expires_in":3600}"""));

        Fetcher.ClearLocalHolds(Payments);
        var next = await Fetch(FetchMode.Request);

        Assert.Equal(FetchOutcome.Fetched, next.Outcome);
        Assert.Equal(2, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_token_fetched_while_its_connection_was_evicted_goes_to_the_caller_but_stays_out_of_memory()
    {
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var evicted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var original = _harness.Endpoint.Respond;
        _harness.Endpoint.Respond = async request =>
        {
            inFlight.SetResult();
            await evicted.Task;
            return await original(request);
        };

        var fetch = Fetch(FetchMode.Request);
        await inFlight.Task;
        Memory.RemoveConnection(Payments.DefaultCacheKey.PartitionKey);
        evicted.SetResult();
        var result = await fetch;

        Assert.True(result.Result.Succeeded);
        Assert.Null(InMemory());
    }

    [Fact]
    public async Task An_instance_that_finds_a_peers_lease_reads_when_the_peers_fetch_should_land_counted_from_its_lease()
    {
        // The peer's fetches take 200 ms; its lease row says it started 150 ms ago: the token is due in 50 ms, not 200.
        var latencyClock = new FakeTimeProvider();
        var latency = new FetchLatency(latencyClock);
        using var harness = new CoreHarness(configure: services => services.AddSingleton(latency));
        var payments = harness.Services.GetRequiredService<ConnectionRegistry>().TryGet("payments", out var connection) ? connection : throw new InvalidOperationException();
        latency.Observe(payments, TimeSpan.FromMilliseconds(200));
        latency.Observe(payments, TimeSpan.FromMilliseconds(200));
        var leaseDuration = harness.Services.GetRequiredService<IOptions<CoordinationOptions>>().Value.LeaseDuration;
        var leased = TokenEntity.Placeholder(payments.DefaultCacheKey, "api.read", "peer/1", harness.Time.GetUtcNow() + leaseDuration - TimeSpan.FromMilliseconds(150), harness.Time.GetUtcNow());
        var reads = new ConcurrentQueue<TimeSpan>();
        var started = latencyClock.GetTimestamp();
        harness.Table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() =>
            {
                reads.Enqueue(latencyClock.GetElapsedTime(started));
                return Mock.Of<NullableResponse<TableEntity>>(r => r.HasValue == true && r.Value == leased);
            });
        using var stop = new CancellationTokenSource();

        // Off the test framework's synchronization context, so the read resumes inside the Advance that makes it due.
        var fetch = Task.Run(() => harness.Services.GetRequiredService<CoordinatedFetcher>().FetchAsync(payments, payments.DefaultCacheKey, payments.DefaultScopes, FetchMode.Request, stop.Token));
        while (reads.IsEmpty)
        {
            await Task.Delay(1);
        }

        // The wait is set up synchronously after that read (every table call here completes at once); give it time to be.
        await Task.Delay(100);

        for (var i = 0; i < 400 && reads.Count < 2; i++)
        {
            latencyClock.Advance(TimeSpan.FromMilliseconds(1));
            for (var spin = 0; spin < 20 && reads.Count < 2; spin++)
            {
                await Task.Delay(1);
            }
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetch);
        var peerRead = Assert.Single(reads.Skip(1).Take(1));
        Assert.InRange(peerRead.TotalMilliseconds, 50, 60);
        Assert.Equal(0, harness.Endpoint.Count);
    }

    [Fact]
    public async Task A_token_without_a_usable_lifetime_is_returned_once_and_never_kept()
    {
        _harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(HttpStatusCode.OK, """{"access_token":"no-lifetime","token_type":"Bearer"}"""));

        var first = await Fetch(FetchMode.Request);
        var second = await Fetch(FetchMode.Request);

        Assert.Equal("no-lifetime", first.Result.Token!.AccessToken);
        Assert.Equal(FetchOutcome.Fetched, second.Outcome);
        Assert.Null(InMemory());
        Assert.Equal(2, _harness.Endpoint.Count);
    }
}
