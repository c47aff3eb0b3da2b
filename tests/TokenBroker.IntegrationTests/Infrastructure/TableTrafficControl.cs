using System.Net;
using System.Net.Sockets;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace TokenBroker.IntegrationTests.Infrastructure;

/// <summary>
/// A policy in the real <see cref="TableClient"/> pipeline, in front of the real transport: it can hold single-entity reads
/// after the table answered (to place an eviction in the middle of one), or send every request to a loopback port nobody listens on,
/// so the client meets a real refused connection, not an exception a test chose.
/// </summary>
public sealed class TableTrafficControl : HttpPipelinePolicy
{
    private readonly int _refusingPort = UnusedPort();
    private TaskCompletionSource? _gate;
    private TaskCompletionSource? _released;
    private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _entityReads;
    private int _conflicts;

    /// <summary>Single-entity reads sent through this policy so far.</summary>
    public int EntityReads => Volatile.Read(ref _entityReads);

    /// <summary>Writes the table refused as conflicting (409 on an insert, 412 on an ETag-conditional write): lost lease races.</summary>
    public int Conflicts => Volatile.Read(ref _conflicts);

    /// <summary>When true, every request goes to a refused port.</summary>
    public bool Down { get; set; }

    /// <summary>A table client for <paramref name="tableName"/> on <paramref name="connectionString"/> through this policy, without retries.</summary>
    public TableClient Client(string connectionString, string tableName)
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        options.AddPolicy(this, HttpPipelinePosition.PerRetry);
        return new TableClient(connectionString, tableName, options);
    }

    /// <summary>
    /// Holds the answer to the next single-entity read (read from the table, not yet returned to the broker) until
    /// <see cref="Release"/>; the task completes when it is held. Later reads pass.
    /// </summary>
    public Task HoldNextEntityRead()
    {
        _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        return _held.Task;
    }

    public void Release() => _released?.TrySetResult();

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Down)
        {
            message.Request.Uri.Host = "127.0.0.1";
            message.Request.Uri.Port = _refusingPort;
        }

        if (message.Request.Method == RequestMethod.Get && IsSingleEntity(message.Request.Uri.Path))
        {
            Interlocked.Increment(ref _entityReads);
        }

        await ProcessNextAsync(message, pipeline);
        if (message.HasResponse && message.Response.Status is 409 or 412)
        {
            Interlocked.Increment(ref _conflicts);
        }

        if (message.Request.Method == RequestMethod.Get && IsSingleEntity(message.Request.Uri.Path)
            && Interlocked.Exchange(ref _gate, null) is { } gate)
        {
            _released = gate;
            _held.TrySetResult();
            await gate.Task.WaitAsync(message.CancellationToken);
        }
    }

    // A single entity is addressed as Table(PartitionKey='…',RowKey='…'); a query is Table() or Table.
    private static bool IsSingleEntity(string path) => path.Contains("PartitionKey=", StringComparison.Ordinal);

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
