using TokenBroker.Credentials;
using TokenBroker.Secrets;

namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>
/// Key Vault for the simulation: a remote secret source (so the broker's <see cref="CredentialCache"/> keeps what it reads, as
/// it keeps Key Vault's answers) that answers every name and counts every read, one per billed Key Vault operation.
/// </summary>
internal sealed class CountingVault(string clientSecret, string cacheKeyName, string cacheKey) : ICredentialSource<ClientSecret>
{
    private long _reads;

    public long Reads => Interlocked.Read(ref _reads);

    public string Kind => VaultObject.SecretKind;

    public bool IsRemote => true;

    public ValueTask<ClientCredential> GetLatestAsync(string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return ValueTask.FromResult<ClientCredential>(new ClientSecret(name == cacheKeyName ? cacheKey : clientSecret, "v1"));
    }

    public ValueTask<IReadOnlyList<ClientCredential>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return ValueTask.FromResult<IReadOnlyList<ClientCredential>>([]);
    }
}
