using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using TokenBroker.Caching;
using TokenBroker.Lifecycle.Inventory;

namespace TokenBroker.Benchmarks.Storage;

/// <summary>
/// A policy in a real <see cref="TableClient"/>'s pipeline that counts every request it sends, by kind, retries included
/// (each attempt is a transaction). Given to a broker as its <see cref="TableClient"/>, it counts what that instance costs.
/// </summary>
internal sealed class TableTransactionCounter : HttpPipelinePolicy
{
    private long _entityReads;
    private long _queries;
    private long _inserts;
    private long _updates;
    private long _deletes;
    private long _marks;
    private long _watches;
    private long _inventory;
    private long _other;
    private readonly ConcurrentDictionary<string, long> _byAnswer = new(StringComparer.Ordinal);

    public TableTransactions Counted => new(
        Interlocked.Read(ref _entityReads),
        Interlocked.Read(ref _queries),
        Interlocked.Read(ref _inserts),
        Interlocked.Read(ref _updates),
        Interlocked.Read(ref _deletes),
        Interlocked.Read(ref _other))
    {
        Marks = Interlocked.Read(ref _marks),
        Watches = Interlocked.Read(ref _watches),
        Inventory = Interlocked.Read(ref _inventory),
    };

    /// <summary>Every request by kind and HTTP status (<c>update 412</c>): where each transaction came from.</summary>
    public IReadOnlyDictionary<string, long> ByAnswer => new SortedDictionary<string, long>(_byAnswer, StringComparer.Ordinal);

    /// <summary>A client for <paramref name="tableName"/> through this policy (and <paramref name="also"/>), with the retry settings the broker gives its own.</summary>
    public TableClient Client(string connectionString, string tableName, HttpPipelinePolicy? also = null)
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        options.AddPolicy(this, HttpPipelinePosition.PerRetry);
        if (also is not null)
        {
            options.AddPolicy(also, HttpPipelinePosition.PerRetry);
        }

        return new TableClient(connectionString, tableName, options);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var kind = Count(message.Request);
        ProcessNext(message, pipeline);
        CountAnswer(kind, message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var kind = Count(message.Request);
        await ProcessNextAsync(message, pipeline);
        CountAnswer(kind, message);
    }

    private void CountAnswer(string kind, HttpMessage message)
    {
        var status = message.HasResponse ? message.Response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no answer";
        _byAnswer.AddOrUpdate(kind + " " + status, 1, static (_, n) => n + 1);
    }

    private string Count(Request request)
    {
        var path = request.Uri.Path;

        // A single entity is addressed as Table(PartitionKey='…',RowKey='…'); a query is Table() or Table; POST /Tables creates the table.
        var entity = path.Contains("PartitionKey=", StringComparison.Ordinal);

        // The credential inventory's requests: its run row, the query of its rows' ages, and its entity-group
        // transactions (the broker sends no other), which write up to 100 rows in one request.
        var batch = request.Method == RequestMethod.Post && path.EndsWith("$batch", StringComparison.Ordinal);
        if (batch || Uri.UnescapeDataString(request.Uri.ToUri().PathAndQuery).Contains(InventoryStore.Partition, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _inventory);
        }

        ref var counter = ref _other;
        var kind = "other";
        if (request.Method == RequestMethod.Get)
        {
            counter = ref entity ? ref _entityReads : ref _queries;
            kind = entity ? "read" : "query";
            if (!entity && Uri.UnescapeDataString(request.Uri.Query).Contains($"'{EvictionGenerations.Partition}'", StringComparison.Ordinal))
            {
                // The eviction watcher's poll: a cost of each instance, whatever the number of connections.
                Interlocked.Increment(ref _watches);
                kind = "watch";
            }
        }
        else if (batch)
        {
            kind = "batch";
        }
        else if (request.Method == RequestMethod.Post && !path.EndsWith("/Tables", StringComparison.OrdinalIgnoreCase))
        {
            counter = ref _inserts;
            kind = "insert";
        }
        else if (request.Method == RequestMethod.Put || request.Method == RequestMethod.Patch || request.Method.Method == "MERGE")
        {
            // Merges with If-Match: * are the broker's unconditional ones: usage marks and failure records. Lease merges
            // carry the ETag that was read; token writes are upserts (PUT).
            counter = ref _updates;
            kind = request.Method == RequestMethod.Put ? "upsert" : "merge";
            if (request.Method != RequestMethod.Put && request.Headers.TryGetValue("If-Match", out var match) && match == "*")
            {
                Interlocked.Increment(ref _marks);
                kind = "mark";
            }
        }
        else if (request.Method == RequestMethod.Delete)
        {
            counter = ref _deletes;
            kind = "delete";
        }

        Interlocked.Increment(ref counter);
        return kind;
    }
}
