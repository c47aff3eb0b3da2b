using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace TokenBroker.Benchmarks.ColdBurst;

/// <summary>
/// A policy in one host's <see cref="Azure.Data.Tables.TableClient"/> pipeline that notes, while a burst is recorded, when
/// each table request of the host was sent and answered, and what it found: the timeline of the burst's coordination
/// (the lease's 409, the holder's token landing, each waiting host's reads).
/// </summary>
internal sealed class TableRequestLog : HttpPipelinePolicy
{
    // Only a token row has it; the lease placeholder a waiting host reads until the holder writes does not.
    private static readonly byte[] TokenColumn = "\"ExpiresOn\""u8.ToArray();

    private ConcurrentQueue<TableRequest>? _recording;

    /// <summary>Starts a fresh recording; requests are noted until <see cref="Stop"/>.</summary>
    public void Start() => Volatile.Write(ref _recording, new ConcurrentQueue<TableRequest>());

    /// <summary>Stops recording and returns what was noted, in order of sending.</summary>
    public IReadOnlyList<TableRequest> Stop() =>
        Interlocked.Exchange(ref _recording, null) is { } recorded ? [.. recorded.OrderBy(r => r.Sent)] : [];

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("The broker's table calls are asynchronous.");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var recording = Volatile.Read(ref _recording);
        var sent = Stopwatch.GetTimestamp();
        await ProcessNextAsync(message, pipeline);
        if (recording is null)
        {
            return;
        }

        var answered = Stopwatch.GetTimestamp();
        var status = message.HasResponse ? message.Response.Status : 0;
        recording.Enqueue(new TableRequest(KindOf(message.Request), status, sent, answered, status == 200 && HasToken(message)));
    }

    private static TableRequestKind KindOf(Request request)
    {
        var entity = request.Uri.Path.Contains("PartitionKey=", StringComparison.Ordinal);
        return request.Method == RequestMethod.Get && entity ? TableRequestKind.Read
            : request.Method == RequestMethod.Post && !request.Uri.Path.EndsWith("/Tables", StringComparison.OrdinalIgnoreCase) ? TableRequestKind.Insert
            : request.Method == RequestMethod.Put ? TableRequestKind.Upsert
            : TableRequestKind.Other;
    }

    // The SDK buffers a response's body before the policies above the transport see it, so this reads memory, not the socket.
    private static bool HasToken(HttpMessage message)
    {
        if (message.Request.Method != RequestMethod.Get || message.Response.ContentStream is not MemoryStream body || !body.TryGetBuffer(out var buffer))
        {
            return false;
        }

        return buffer.AsSpan().IndexOf(TokenColumn) >= 0;
    }
}

/// <summary>What a table request was, for the burst's timeline.</summary>
internal enum TableRequestKind
{
    Read,
    Insert,
    Upsert,
    Other,
}

/// <summary>One table request: its kind, HTTP status, when it was sent and answered (<see cref="Stopwatch"/> ticks), and for a read whether it found a token.</summary>
internal readonly record struct TableRequest(TableRequestKind Kind, int Status, long Sent, long Answered, bool FoundToken);
