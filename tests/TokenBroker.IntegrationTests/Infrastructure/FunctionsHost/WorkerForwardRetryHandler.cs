namespace TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

/// <summary>
/// The host's retry of a forward to the worker's HTTP listener. The .NET worker reports its listener's URI in its init
/// response before that listener necessarily accepts, and Azure's host does not wait for it: its proxy retries a forward
/// that failed to connect, up to 10 attempts, 50 ms after the first and doubling to at most 250 ms (about 1.85 s in all),
/// and only an <see cref="HttpRequestException"/> (no answer at all) is retried, never an answer
/// (https://github.com/Azure/azure-functions-host, src/WebJobs.Script.Grpc/Server/RetryProxyHandler.cs: MaxRetries 10,
/// InitialDelay 50, MaximumDelay 250, <c>catch (HttpRequestException) when (attemptCount &lt; MaxRetries)</c>).
/// Without it the stand-in answered a caller's first request with a 500 that Azure's front end would not give.
/// </summary>
public sealed class WorkerForwardRetryHandler(HttpMessageHandler inner, Action<int, HttpRequestException>? onRetry = null) : DelegatingHandler(inner)
{
    public const int MaxAttempts = 10;
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(250);

    private int _retries;

    /// <summary>Forwards retried so far, over every request: how often the worker's listener was not accepting yet.</summary>
    public int Retries => Volatile.Read(ref _retries);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex) when (attempt < MaxAttempts)
            {
                Interlocked.Increment(ref _retries);
                onRetry?.Invoke(attempt, ex);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }
}
