using TokenBroker.Benchmarks.Storage;

namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>What the whole fleet of the simulation has cost so far: Table Storage requests, Key Vault reads, token requests.</summary>
internal sealed record CostCounts(TableTransactions Table, long KeyVaultReads, int TokenRequests)
{
    public static CostCounts Of(IEnumerable<SteadyStateInstance> instances, OpaqueTokenEndpoint endpoint)
    {
        var table = TableTransactions.None;
        long vault = 0;
        foreach (var instance in instances)
        {
            table += instance.Table.Counted;
            vault += instance.Vault.Reads;
        }

        return new CostCounts(table, vault, endpoint.Issued.Count);
    }
}
