using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace TokenBroker.Client.Internal;

/// <summary>
/// Puts a brokered token on each request. When the downstream API answers 401, the token is fetched anew from the broker and
/// the request is sent once more, if its body can be sent twice (see <see cref="ReplayableContent"/>).
/// </summary>
internal sealed class BrokeredTokenHandler(
    IBrokeredTokenProvider tokens,
    string connection,
    string? scope,
    ILogger<BrokeredTokenHandler> logger) : DelegatingHandler
{
    // A synchronous Send would have to block on the broker; failing loudly beats sending the request without a token.
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("An HttpClient with a brokered token supports only SendAsync; use the asynchronous methods.");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = await tokens.GetTokenAsync(connection, scope, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        BrokeredToken fresh;
        try
        {
            // Fetched even when the request cannot be retried, so that at least the next request carries the new token.
            fresh = await tokens.RefreshTokenAsync(connection, scope, cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        if (!ReplayableContent.CanResend(request.Content))
        {
            Log.NotRetryingAfterUnauthorized(logger, request.Method, request.RequestUri?.Host, connection, request.Content!.GetType().Name);
            return response;
        }

        Log.RetryingAfterUnauthorized(logger, request.Method, request.RequestUri?.Host, connection);
        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fresh.AccessToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
