using System.Diagnostics.CodeAnalysis;

namespace TokenBroker.Client.Internal;

/// <summary>
/// One broker call shared by every caller that asks for the same token while it runs. It is cancelled only when every one
/// of those callers has given up, so one impatient caller cannot fail the rest.
/// </summary>
/// <remarks>
/// <see cref="Waiters"/> and <see cref="Finished"/> are guarded by the provider's lock. The cancellation source is disposed by
/// whichever of the fetch and a cancelling waiter lets go of it last, so it is never cancelled after it was disposed.
/// </remarks>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Disposed by Release, when its last holder lets go.")]
internal sealed class TokenFlight
{
    private readonly CancellationTokenSource _abandoned = new();
    private int _holders = 1;

    /// <summary>Starts <paramref name="fetch"/> on the thread pool, never inline on the thread of the caller that started it.</summary>
    public TokenFlight(Func<TokenFlight, Task<BrokeredToken>> fetch) =>
        Task = System.Threading.Tasks.Task.Run(() => fetch(this));

    public Task<BrokeredToken> Task { get; }

    /// <summary>Cancelled when every waiter has left before the fetch finished.</summary>
    public CancellationToken Abandoned => _abandoned.Token;

    public int Waiters { get; set; }

    public bool Finished { get; set; }

    /// <summary>Called under the provider's lock, while the fetch has not finished, by a waiter about to cancel the fetch.</summary>
    public void Hold() => Interlocked.Increment(ref _holders);

    /// <summary>Cancels the fetch; only after <see cref="Hold"/>.</summary>
    public void Cancel() => _abandoned.Cancel();

    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            _abandoned.Dispose();
        }
    }
}
