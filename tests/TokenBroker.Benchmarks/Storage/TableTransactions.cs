namespace TokenBroker.Benchmarks.Storage;

/// <summary>
/// Table Storage requests by kind, as a <see cref="TableTransactionCounter"/> saw them. Each is one billed transaction,
/// whatever its answer (a 409 or 412 is billed like a success); a query is one per page of up to 1,000 entities.
/// </summary>
internal sealed record TableTransactions(long EntityReads, long Queries, long Inserts, long Updates, long Deletes, long Other)
{
    public static TableTransactions None { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Of <see cref="Updates"/>, unconditional merges: usage marks (and failure records, none in a healthy run).</summary>
    public long Marks { get; init; }

    /// <summary>Of <see cref="Queries"/>, the eviction watcher's polls of the generation partition: a cost per instance, not per connection.</summary>
    public long Watches { get; init; }

    /// <summary>Of all, the credential inventory's: its run row, the query of its rows' ages, its transactions (in <see cref="Other"/>).</summary>
    public long Inventory { get; init; }

    /// <summary>What the connections cost: everything but <see cref="Watches"/>.</summary>
    public long PerConnection => Total - Watches;

    public long Total => EntityReads + Queries + Inserts + Updates + Deletes + Other;

    public static TableTransactions operator -(TableTransactions after, TableTransactions before) => new(
        after.EntityReads - before.EntityReads,
        after.Queries - before.Queries,
        after.Inserts - before.Inserts,
        after.Updates - before.Updates,
        after.Deletes - before.Deletes,
        after.Other - before.Other)
    {
        Marks = after.Marks - before.Marks,
        Watches = after.Watches - before.Watches,
        Inventory = after.Inventory - before.Inventory,
    };

    public static TableTransactions operator +(TableTransactions a, TableTransactions b) => new(
        a.EntityReads + b.EntityReads,
        a.Queries + b.Queries,
        a.Inserts + b.Inserts,
        a.Updates + b.Updates,
        a.Deletes + b.Deletes,
        a.Other + b.Other)
    {
        Marks = a.Marks + b.Marks,
        Watches = a.Watches + b.Watches,
        Inventory = a.Inventory + b.Inventory,
    };

    public TableTransactions Subtract(TableTransactions before) => this - before;

    public TableTransactions Add(TableTransactions other) => this + other;
}
