using Microsoft.Extensions.Logging;

namespace TokenBroker.Client.Internal;

/// <summary>
/// Every log line of the client, in one place. Event ids are in <see cref="EventIds"/>; no message
/// takes a token, a function key or a caller token as an argument.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = EventIds.TokenCached, Level = LogLevel.Debug, Message = "Cached a brokered token for connection {Connection} (scope '{Scope}') expiring {ExpiresOn:O}; fetching anew after {RefreshAt:O}")]
    public static partial void TokenCached(ILogger logger, string connection, string scope, DateTimeOffset expiresOn, DateTimeOffset refreshAt);

    [LoggerMessage(EventId = EventIds.TokenNotCached, Level = LogLevel.Warning, Message = "The broker handed out a token for connection {Connection} (scope '{Scope}') with {SecondsLeft} s left; not caching it")]
    public static partial void TokenNotCached(ILogger logger, string connection, string scope, double secondsLeft);

    [LoggerMessage(EventId = EventIds.BrokerRefused, Level = LogLevel.Warning, Message = "The broker refused a token for connection {Connection}: HTTP {Status}, code {Code}: {Detail}")]
    public static partial void BrokerRefused(ILogger logger, string connection, int status, string? code, string? detail);

    [LoggerMessage(EventId = EventIds.BrokerConnectionFailed, Level = LogLevel.Warning, Message = "Could not connect to the broker for connection {Connection} ({Reason}); trying once more")]
    public static partial void BrokerConnectionFailed(ILogger logger, string connection, string reason);

    [LoggerMessage(EventId = EventIds.UnusableResponse, Level = LogLevel.Warning, Message = "The broker's answer for connection {Connection} (HTTP {Status}) is not a token response")]
    public static partial void UnusableResponse(ILogger logger, string connection, int status);

    [LoggerMessage(EventId = EventIds.CallerTokenFailed, Level = LogLevel.Error, Message = "Could not get this caller's own token for the broker for connection {Connection} (scope '{BrokerScope}'): {ErrorType}")]
    public static partial void CallerTokenFailed(ILogger logger, string connection, string brokerScope, string errorType);

    [LoggerMessage(EventId = EventIds.RetryingAfterUnauthorized, Level = LogLevel.Information, Message = "{Method} {Host} refused the brokered token for connection {Connection} with 401; retrying once with a token fetched anew")]
    public static partial void RetryingAfterUnauthorized(ILogger logger, HttpMethod method, string? host, string connection);

    [LoggerMessage(EventId = EventIds.NotRetryingAfterUnauthorized, Level = LogLevel.Warning, Message = "{Method} {Host} refused the brokered token for connection {Connection} with 401; the request body ({ContentType}) cannot be sent twice, so the 401 is returned and only the next request uses the token fetched anew")]
    public static partial void NotRetryingAfterUnauthorized(ILogger logger, HttpMethod method, string? host, string connection, string contentType);
}
