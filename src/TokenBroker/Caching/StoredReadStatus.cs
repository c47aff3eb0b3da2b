namespace TokenBroker.Caching;

/// <summary>What a read of the shared tier found.</summary>
internal enum StoredReadStatus
{
    /// <summary>The table did not answer (or not in time): the fetch goes on without the shared tier.</summary>
    Unavailable,

    /// <summary>The table answered and holds no entity for the key (or no table yet).</summary>
    Missing,

    /// <summary>The table holds an entity for the key: readable, or unreadable and to be overwritten (see <see cref="StoredEntry.Problem"/>).</summary>
    Found,
}
