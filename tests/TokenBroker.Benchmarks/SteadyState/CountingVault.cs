using TokenBroker.Secrets;

namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>
/// Key Vault for the simulation: a remote secret source (so the broker's <see cref="SecretCache"/> keeps what it reads, as
/// it keeps Key Vault's answers) that answers every name and counts every read, one per billed Key Vault operation.
/// </summary>
internal sealed class CountingVault(string clientSecret, string cacheKeyName, string cacheKey) : ISecretSource
{
    private long _reads;

    public long Reads => Interlocked.Read(ref _reads);

    public bool IsRemote => true;

    public ValueTask<ClientSecret> GetLatestAsync(string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return ValueTask.FromResult(new ClientSecret(name == cacheKeyName ? cacheKey : clientSecret, "v1"));
    }

    public ValueTask<IReadOnlyList<ClientSecret>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return ValueTask.FromResult<IReadOnlyList<ClientSecret>>([]);
    }
}
