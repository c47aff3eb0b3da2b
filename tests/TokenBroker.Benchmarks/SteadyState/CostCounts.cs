using TokenBroker.Benchmarks.Storage;

namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>What the whole fleet of the simulation has cost so far: Table Storage requests, Key Vault reads, token requests.</summary>
internal sealed record CostCounts(TableTransactions Table, long KeyVaultReads, int TokenRequests, IReadOnlyDictionary<string, long> Answers)
{
    /// <summary>Requests by kind and status since <paramref name="before"/>.</summary>
    public IReadOnlyDictionary<string, long> AnswersSince(CostCounts before) =>
        new SortedDictionary<string, long>(
            Answers.Select(a => (a.Key, Count: a.Value - before.Answers.GetValueOrDefault(a.Key))).Where(a => a.Count != 0).ToDictionary(a => a.Key, a => a.Count, StringComparer.Ordinal),
            StringComparer.Ordinal);

    public static CostCounts Of(IEnumerable<SteadyStateInstance> instances, OpaqueTokenEndpoint endpoint)
    {
        var table = TableTransactions.None;
        long vault = 0;
        var answers = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            table += instance.Table.Counted;
            vault += instance.Vault.Reads;
            foreach (var (answer, count) in instance.Table.ByAnswer)
            {
                answers[answer] = answers.GetValueOrDefault(answer) + count;
            }
        }

        return new CostCounts(table, vault, endpoint.Issued.Count, answers);
    }
}
