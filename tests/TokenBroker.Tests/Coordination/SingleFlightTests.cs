using TokenBroker.Coordination;

namespace TokenBroker.Tests.Coordination;

public sealed class SingleFlightTests
{
    private readonly SingleFlight<string, int> _flights = new();
    private int _runs;

    private Task<int> Run(string key, Task<int> work) =>
        _flights.RunAsync(key, work, (pending, _) =>
        {
            Interlocked.Increment(ref _runs);
            return pending;
        });

    [Fact]
    public async Task Callers_for_the_same_key_share_one_run_and_its_result()
    {
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 50).Select(_ => Run("payments", gate.Task)).ToList();
        Assert.Equal(1, _flights.Running);
        gate.SetResult(42);
        var results = await Task.WhenAll(callers);

        Assert.All(results, result => Assert.Equal(42, result));
        Assert.All(callers, caller => Assert.Same(callers[0], caller));
        Assert.Equal(1, Volatile.Read(ref _runs));
    }

    [Fact]
    public async Task Different_keys_run_separately()
    {
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var payments = Run("payments", gate.Task);
        var audit = Run("audit", gate.Task);
        Assert.Equal(2, _flights.Running);
        gate.SetResult(1);
        await Task.WhenAll(payments, audit);

        Assert.NotSame(payments, audit);
        Assert.Equal(2, Volatile.Read(ref _runs));
    }

    [Fact]
    public async Task A_finished_run_is_forgotten_so_the_next_caller_starts_a_new_one()
    {
        var first = await Run("payments", Task.FromResult(1));
        var second = await Run("payments", Task.FromResult(2));

        Assert.Equal(1, first);
        Assert.Equal(2, second);
        Assert.Equal(2, Volatile.Read(ref _runs));
        Assert.Equal(0, _flights.Running);
    }

    [Fact]
    public async Task A_failure_reaches_every_waiter_and_is_not_remembered()
    {
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = Enumerable.Range(0, 5).Select(_ => Run("payments", gate.Task)).ToList();

        gate.SetException(new InvalidOperationException("token endpoint refused"));

        foreach (var caller in callers)
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => caller);
            Assert.Equal("token endpoint refused", failure.Message);
        }

        Assert.Equal(0, _flights.Running);
        Assert.Equal(7, await Run("payments", Task.FromResult(7)));
    }

    [Fact]
    public async Task Work_that_is_cancelled_cancels_the_shared_task()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var caller = Run("payments", Task.FromCanceled<int>(cancelled.Token));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => caller);
        Assert.True(caller.IsCanceled);
        Assert.Equal(0, _flights.Running);
    }

    [Fact]
    public async Task The_work_never_runs_on_the_thread_of_the_caller_that_started_it()
    {
        using var released = new ManualResetEventSlim();

        // Work that blocks until the caller has its task back: run inline, it would wait out the timeout and report false.
        var caller = _flights.RunAsync("payments", released, static (gate, _) => Task.FromResult(gate.Wait(TimeSpan.FromSeconds(30)) ? 1 : 0));
        released.Set();

        Assert.Equal(1, await caller);
    }
}
