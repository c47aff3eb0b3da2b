namespace TokenBroker.Client.Internal;

/// <summary>
/// Every log event id of the client library. Its own range (10000s), apart from the broker's (1000s to 9000s), so a log
/// search by id never mixes a calling service's lines with the broker's. Ids are stable; docs/runbook.md lists them.
/// </summary>
internal static class EventIds
{
    /// <summary>A brokered token was cached.</summary>
    public const int TokenCached = 10001;

    /// <summary>A token with too little time left was not cached.</summary>
    public const int TokenNotCached = 10002;

    /// <summary>The broker refused a token.</summary>
    public const int BrokerRefused = 10003;

    /// <summary>The broker could not be reached; one more try.</summary>
    public const int BrokerConnectionFailed = 10004;

    /// <summary>The broker's answer is not a token response.</summary>
    public const int UnusableResponse = 10005;

    /// <summary>The caller's own token for the broker could not be obtained.</summary>
    public const int CallerTokenFailed = 10006;

    /// <summary>A downstream 401: retrying once with a token fetched anew.</summary>
    public const int RetryingAfterUnauthorized = 10007;

    /// <summary>A downstream 401 on a body that cannot be sent twice: not retried.</summary>
    public const int NotRetryingAfterUnauthorized = 10008;
}
