using System.Collections.Concurrent;

namespace TokenBroker.Coordination;

/// <summary>
/// Runs at most one piece of work per key at a time; callers that arrive while it runs share its task.
/// The work is started without any caller's cancellation token, so one impatient caller cannot fail the rest.
/// </summary>
internal sealed class SingleFlight<TKey, TResult>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TResult>> _running = new();

    public int Running => _running.Count;

    public Task<TResult> RunAsync<TState>(TKey key, TState state, Func<TState, TKey, Task<TResult>> work)
    {
        while (true)
        {
            if (_running.TryGetValue(key, out var running))
            {
                return running;
            }

            var completion = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_running.TryAdd(key, completion.Task))
            {
                _ = RunAsync(key, completion, state, work);
                return completion.Task;
            }
        }
    }

    private async Task RunAsync<TState>(TKey key, TaskCompletionSource<TResult> completion, TState state, Func<TState, TKey, Task<TResult>> work)
    {
        TResult result;
        try
        {
            // Yield first so the work never runs inline on the thread of the caller that happened to start it.
            await Task.Yield();
            result = await work(state, key);
        }
        catch (Exception ex)
        {
            Forget(key, completion);
            if (ex is OperationCanceledException canceled)
            {
                completion.TrySetCanceled(canceled.CancellationToken);
            }
            else
            {
                completion.TrySetException(ex);
            }

            return;
        }

        // Forget the flight before completing it: a caller that arrives afterwards starts afresh instead of
        // picking up a finished result that may already be stale (an uncacheable token, a transient failure).
        Forget(key, completion);
        completion.TrySetResult(result);
    }

    private void Forget(TKey key, TaskCompletionSource<TResult> completion) =>
        _running.TryRemove(new KeyValuePair<TKey, Task<TResult>>(key, completion.Task));
}
