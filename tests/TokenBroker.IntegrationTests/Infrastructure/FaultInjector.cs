using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;

namespace TokenBroker.IntegrationTests.Infrastructure;

/// <summary>
/// Fault injection between the broker and the real authorization server: scripted 429s, 503s and slow answers, or a
/// server that is down, each counted. Everything not scripted passes through untouched.
/// </summary>
public sealed class FaultInjector : DelegatingHandler
{
    private readonly ConcurrentQueue<Fault> _script = new();
    private int _injected;
    private int _passed;

    public int Injected => Volatile.Read(ref _injected);

    public int Passed => Volatile.Read(ref _passed);

    public int Seen => Injected + Passed;

    /// <summary>When set, every request gets this fault (after the script runs out).</summary>
    public Fault? Always { get; set; }

    public void Enqueue(params Fault[] faults)
    {
        foreach (var fault in faults)
        {
            _script.Enqueue(fault);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var fault = _script.TryDequeue(out var scripted) ? scripted : Always;
        if (fault is null)
        {
            Interlocked.Increment(ref _passed);
            return await base.SendAsync(request, cancellationToken);
        }

        Interlocked.Increment(ref _injected);
        if (fault.Delay > TimeSpan.Zero)
        {
            await Task.Delay(fault.Delay, cancellationToken);
        }

        var response = new HttpResponseMessage(fault.Status) { RequestMessage = request, Content = new StringContent(string.Empty) };
        if (fault.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(retryAfter);
        }

        return response;
    }

    public sealed record Fault(HttpStatusCode Status, TimeSpan? RetryAfter = null, TimeSpan Delay = default)
    {
        public static Fault Unavailable { get; } = new(HttpStatusCode.ServiceUnavailable);

        public static Fault Throttled(TimeSpan retryAfter) => new(HttpStatusCode.TooManyRequests, retryAfter);

        public static Fault Slow(TimeSpan delay) => new(HttpStatusCode.OK, null, delay);
    }
}
