using System.Collections.Concurrent;
using Grpc.Core;
using TokenBroker.IntegrationTests.Infrastructure.FunctionsHost.Rpc;

namespace TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

/// <summary>
/// The host's end of one worker's <c>EventStream</c>: it writes requests and matches the worker's responses to them
/// (init and metadata by kind, loads by function id, invocations by invocation id), and hands every <c>RpcLog</c> on.
/// </summary>
public sealed class WorkerChannel(string workerId, string requestId)
{
    private readonly TaskCompletionSource<IServerStreamWriter<StreamingMessage>> _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<WorkerInitResponse> _init = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<FunctionMetadataResponse> _metadata = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<FunctionLoadResponse>> _loads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> _invocations = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _write = new(1, 1);

    public string WorkerId { get; } = workerId;

    /// <summary>Receives every <c>RpcLog</c> the worker sends.</summary>
    public Action<RpcLog>? OnLog { get; set; }

    public string RequestId { get; } = requestId;

    /// <summary>Completes when the worker opened its stream with a <c>StartStream</c> carrying its worker id.</summary>
    public Task Connected => _attached.Task;

    public async Task<WorkerInitResponse> InitializeAsync(WorkerInitRequest request, CancellationToken cancellationToken)
    {
        await SendAsync(new StreamingMessage { RequestId = RequestId, WorkerInitRequest = request }, cancellationToken);
        return await _init.Task.WaitAsync(cancellationToken);
    }

    public async Task<FunctionMetadataResponse> RequestMetadataAsync(string appDirectory, CancellationToken cancellationToken)
    {
        await SendAsync(new StreamingMessage { RequestId = RequestId, FunctionsMetadataRequest = new() { FunctionAppDirectory = appDirectory } }, cancellationToken);
        return await _metadata.Task.WaitAsync(cancellationToken);
    }

    public async Task<FunctionLoadResponse> LoadAsync(FunctionLoadRequest request, CancellationToken cancellationToken)
    {
        var pending = _loads.GetOrAdd(request.FunctionId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        await SendAsync(new StreamingMessage { RequestId = RequestId, FunctionLoadRequest = request }, cancellationToken);
        return await pending.Task.WaitAsync(cancellationToken);
    }

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var pending = _invocations.GetOrAdd(request.InvocationId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await SendAsync(new StreamingMessage { RequestId = RequestId, InvocationRequest = request }, cancellationToken);
            return await pending.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _invocations.TryRemove(request.InvocationId, out _);
        }
    }

    public Task TerminateAsync(TimeSpan gracePeriod, CancellationToken cancellationToken) =>
        SendAsync(new StreamingMessage { RequestId = RequestId, WorkerTerminate = new() { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(gracePeriod) } }, cancellationToken);

    /// <summary>Ends the stream from the host's side.</summary>
    public void Close()
    {
        _closed.TrySetResult();
        var gone = new IOException("The worker's stream closed.");
        _init.TrySetException(gone);
        _metadata.TrySetException(gone);
        foreach (var pending in _loads.Values)
        {
            pending.TrySetException(gone);
        }

        foreach (var pending in _invocations.Values)
        {
            pending.TrySetException(gone);
        }
    }

    /// <summary>Runs the stream the worker opened until either side ends it.</summary>
    internal async Task RunAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        _attached.TrySetResult(responses);
        try
        {
            var reading = ReadAsync(requests, cancellationToken);
            await Task.WhenAny(reading, _closed.Task);
        }
        finally
        {
            Close();
        }
    }

    private async Task ReadAsync(IAsyncStreamReader<StreamingMessage> requests, CancellationToken cancellationToken)
    {
        try
        {
            while (await requests.MoveNext(cancellationToken))
            {
                Dispatch(requests.Current);
            }
        }
        catch (Exception ex) when (ex is IOException or Grpc.Core.RpcException or OperationCanceledException)
        {
            // The worker went away: everything pending fails in Close.
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                _init.TrySetResult(message.WorkerInitResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                _metadata.TrySetResult(message.FunctionMetadataResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                _loads.GetOrAdd(message.FunctionLoadResponse.FunctionId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(message.FunctionLoadResponse);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (_invocations.TryGetValue(message.InvocationResponse.InvocationId, out var pending))
                {
                    pending.TrySetResult(message.InvocationResponse);
                }

                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                OnLog?.Invoke(message.RpcLog);
                break;
        }
    }

    private async Task SendAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        var writer = await _attached.Task.WaitAsync(cancellationToken);
        await _write.WaitAsync(cancellationToken);
        try
        {
            await writer.WriteAsync(message, cancellationToken);
        }
        finally
        {
            _write.Release();
        }
    }
}
