using System.Net;
using TokenBroker.Client.Tests.Support;

namespace TokenBroker.Client.Tests.Internal;

/// <summary>One broker call shared by every caller asking for the same token while it runs, and cancelled only when all give up.</summary>
public sealed class TokenFlightTests : IDisposable
{
    private readonly ClientHarness _harness = new();
    private readonly TaskCompletionSource _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _abandoned = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TokenFlightTests() =>
        _harness.Broker.Respond = async (_, cancellationToken) =>
        {
            // The broker holds its answer until the test releases it, and reports a call its caller gave up on.
            _received.TrySetResult();
            try
            {
                await _answer.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _abandoned.TrySetResult();
                throw;
            }

            return BrokerStub.Token($"shared-{Guid.NewGuid():N}");
        };

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Concurrent_callers_for_the_same_token_share_one_broker_call()
    {
        var callers = Enumerable.Range(0, 30).Select(_ => _harness.Tokens.GetTokenAsync("payments").AsTask()).ToList();
        await _received.Task;
        _answer.SetResult();
        var tokens = await Task.WhenAll(callers);

        Assert.Equal(1, _harness.Broker.Count);
        Assert.All(tokens, token => Assert.Same(tokens[0], token));
    }

    [Fact]
    public async Task A_refresh_while_a_call_is_running_joins_it()
    {
        var waiting = _harness.Tokens.GetTokenAsync("payments").AsTask();
        await _received.Task;
        var refreshing = _harness.Tokens.RefreshTokenAsync("payments").AsTask();
        _answer.SetResult();

        Assert.Same(await waiting, await refreshing);
        Assert.Equal(1, _harness.Broker.Count);
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_cancel_the_call_for_the_others()
    {
        using var impatient = new CancellationTokenSource();
        var leaving = _harness.Tokens.GetTokenAsync("payments", cancellationToken: impatient.Token).AsTask();
        var staying = _harness.Tokens.GetTokenAsync("payments").AsTask();
        await _received.Task;

        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        _answer.SetResult();
        var token = await staying;

        Assert.False(_abandoned.Task.IsCompleted);
        Assert.StartsWith("shared-", token.AccessToken, StringComparison.Ordinal);
        Assert.Equal(1, _harness.Broker.Count);
    }

    [Fact]
    public async Task When_every_caller_gives_up_the_call_is_cancelled_and_the_next_caller_starts_a_new_one()
    {
        using var only = new CancellationTokenSource();
        var leaving = _harness.Tokens.GetTokenAsync("payments", cancellationToken: only.Token).AsTask();
        await _received.Task;

        await only.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        await _abandoned.Task;
        _answer.SetResult();
        var next = await _harness.Tokens.GetTokenAsync("payments");

        Assert.StartsWith("shared-", next.AccessToken, StringComparison.Ordinal);
        Assert.Equal(2, _harness.Broker.Count);
    }

    [Fact]
    public async Task A_failed_call_is_not_remembered()
    {
        _harness.Broker.Respond = (_, _) => Task.FromResult(BrokerStub.Problem(HttpStatusCode.ServiceUnavailable, """{"status":503,"code":"upstream_unavailable"}"""));
        await Assert.ThrowsAsync<TokenBrokerException>(() => _harness.Tokens.GetTokenAsync("payments").AsTask());
        _harness.Broker.Respond = (_, _) => Task.FromResult(BrokerStub.Token("after-failure"));

        var token = await _harness.Tokens.GetTokenAsync("payments");

        Assert.Equal("after-failure", token.AccessToken);
        Assert.Equal(2, _harness.Broker.Count);
    }

    [Fact]
    public async Task A_caller_whose_token_is_already_cancelled_starts_nothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _harness.Tokens.GetTokenAsync("payments", cancellationToken: cancelled.Token).AsTask());

        Assert.Equal(0, _harness.Broker.Count);
    }
}
