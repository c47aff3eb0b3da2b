using System.Collections.Concurrent;
using Grpc.Core;
using TokenBroker.IntegrationTests.Infrastructure.FunctionsHost.Rpc;

namespace TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

/// <summary>
/// The host's <c>FunctionRpc</c> service. A worker opens <c>EventStream</c> and first sends <c>StartStream</c> with the
/// worker id it was started with (the .NET worker leaves the message's request id empty); the stream is then handed to that
/// worker's channel. An unknown worker id, or a first message that is not <c>StartStream</c>, is refused.
/// </summary>
internal sealed class FunctionRpcService(WorkerChannels channels) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.StartStream is not { } start)
        {
            throw new Grpc.Core.RpcException(new Status(StatusCode.InvalidArgument, "The first message must be StartStream."));
        }

        if (!channels.TryGet(start.WorkerId, out var channel))
        {
            throw new Grpc.Core.RpcException(new Status(StatusCode.NotFound, "No worker was started with this worker id."));
        }

        await channel.RunAsync(requestStream, responseStream, context.CancellationToken);
    }
}

/// <summary>The channels of the workers this host started, by worker id.</summary>
internal sealed class WorkerChannels
{
    private readonly ConcurrentDictionary<string, WorkerChannel> _channels = new(StringComparer.Ordinal);

    public void Add(WorkerChannel channel) => _channels[channel.WorkerId] = channel;

    public bool TryGet(string workerId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WorkerChannel? channel) => _channels.TryGetValue(workerId, out channel);
}
