namespace TokenBroker.DevAuthorizationServer;

/// <summary>
/// Every request that reached <c>/connect/token</c> since the server started or
/// <see cref="Reset"/> was called, so tests can assert how many token requests were made.
/// </summary>
public sealed class TokenRequestLog
{
    private readonly Lock _gate = new();
    private readonly List<TokenRequestRecord> _records = [];

    /// <summary>The number of token requests recorded.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _records.Count;
            }
        }
    }

    /// <summary>The number of recorded requests that were issued a token.</summary>
    public int SucceededCount => Records.Count(record => record.Succeeded);

    /// <summary>The number of recorded requests that were rejected.</summary>
    public int FailedCount => Records.Count(record => !record.Succeeded);

    /// <summary>A snapshot of the recorded requests, oldest first.</summary>
    public IReadOnlyList<TokenRequestRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>Forgets every recorded request.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _records.Clear();
        }
    }

    internal void Add(TokenRequestRecord record)
    {
        lock (_gate)
        {
            _records.Add(record);
        }
    }
}
