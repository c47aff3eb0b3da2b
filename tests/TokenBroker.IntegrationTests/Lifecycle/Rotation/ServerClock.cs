using Microsoft.Extensions.Time.Testing;

namespace TokenBroker.IntegrationTests.Lifecycle.Rotation;

/// <summary>
/// Keeps the authorization server's fake clock in step with the real clock (brought up to it every 100 ms), from start
/// until disposed, so a 30 s propagation delay lasts 30 s of real time for the brokers, as Entra's would. It never runs
/// ahead of the brokers' clock and lags it by at most a tick, so client assertions and Graph proofs stamped by the
/// brokers are checked on the server within their lifetimes.
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

            var behind = TimeProvider.System.GetUtcNow() - time.GetUtcNow();
            if (behind > TimeSpan.Zero)
            {
                time.Advance(behind);
            }
        }
    }
}
