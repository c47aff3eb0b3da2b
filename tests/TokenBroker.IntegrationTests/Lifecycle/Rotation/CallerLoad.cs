using System.Collections.Concurrent;
using TokenBroker.IntegrationTests.Infrastructure;

namespace TokenBroker.IntegrationTests.Lifecycle.Rotation;

/// <summary>
/// Callers asking the rig's live instances for tokens, each caller going round the instances and the connections, until
/// stopped. Each request uses the callers' own HTTP client, so stopping an instance never cancels a request already sent
/// to it; every token received is fed to the sink, and every answer but a 200 is a failure.
/// </summary>
internal sealed class CallerLoad : IAsyncDisposable
{
    private const int Callers = 4;
    private readonly RotationRig _rig;
    private readonly SensitiveValueSink _sink;
    private readonly IReadOnlyList<string> _connections;
    private readonly HttpClient _http = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _succeeded = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Task[] _callers;
    private int _requests;

    public CallerLoad(RotationRig rig, SensitiveValueSink sink, IReadOnlyList<string> connections)
    {
        _rig = rig;
        _sink = sink;
        _connections = connections;
        _callers = [.. Enumerable.Range(0, Callers).Select(i => Task.Run(() => CallAsync(i, _stop.Token)))];
    }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>What failed: connection, instance, status or exception type, and the problem's code.</summary>
    public IReadOnlyList<string> Failures => [.. _failures];

    public int SucceededFor(string connection) => _succeeded.GetValueOrDefault(connection);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_callers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task CallAsync(int caller, CancellationToken cancellationToken)
    {
        for (var turn = caller; !cancellationToken.IsCancellationRequested; turn++)
        {
            var connection = _connections[turn % _connections.Count];
            var broker = _rig.Pick(turn / _connections.Count);
            try
            {
                using var response = await _http.PostAsync(new Uri(broker.Instance.BaseAddress, $"/api/token/{connection}"), null, CancellationToken.None);
                var call = await TokenCall.ReadAsync(response, _sink, CancellationToken.None);
                Interlocked.Increment(ref _requests);
                if (call.Status == 200)
                {
                    _succeeded.AddOrUpdate(connection, 1, (_, n) => n + 1);
                }
                else
                {
                    _failures.Enqueue($"{connection} at {broker.Instance.BaseAddress}: {call.Status} {call.Code}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                Interlocked.Increment(ref _requests);
                _failures.Enqueue($"{connection} at {broker.Instance.BaseAddress}: {ex.GetType().Name}");
            }
            finally
            {
                _rig.Release(broker);
            }

            // Steady load without spinning the shared CPUs: about 40 requests a second per caller.
            try
            {
                await Task.Delay(25, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
