namespace TokenBroker.Caching;

/// <summary>One read of the shared tier: whether the table answered, and the entry it holds for the key.</summary>
internal readonly record struct StoredRead(StoredReadStatus Status, StoredEntry? Entry)
{
    public static StoredRead Unavailable => new(StoredReadStatus.Unavailable, null);

    public static StoredRead Missing => new(StoredReadStatus.Missing, null);

    /// <summary>False when the table could not be read: nothing is known of the entry, so nothing is written to it.</summary>
    public bool IsAvailable => Status != StoredReadStatus.Unavailable;

    public static StoredRead Found(StoredEntry entry) => new(StoredReadStatus.Found, entry);
}
