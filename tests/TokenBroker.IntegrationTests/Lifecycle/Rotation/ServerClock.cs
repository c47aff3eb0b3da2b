using Microsoft.Extensions.Time.Testing;

namespace TokenBroker.IntegrationTests.Lifecycle.Rotation;

/// <summary>
/// Drives the authorization server's fake clock at three times real speed (300 ms every 100 ms), from start until
/// disposed. A 30 s propagation delay on that clock lasts about 10 s of real time. The server runs ahead of the brokers
/// by twice the time elapsed, a few minutes at most here: inside the five minutes of a client assertion's lifetime and
/// the ten of a Graph proof, both stamped on the broker's real clock and checked on the server's.
/// </summary>
internal sealed class ServerClock : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _drive;

    public ServerClock(FakeTimeProvider time) => _drive = DriveAsync(time, _stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _drive;
        _stop.Dispose();
    }

    private static async Task DriveAsync(FakeTimeProvider time, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Tick, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            time.Advance(Tick * 3);
        }
    }
}
