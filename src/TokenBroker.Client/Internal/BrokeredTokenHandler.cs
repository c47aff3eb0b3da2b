using System.Net;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;

namespace TokenBroker.Client.Internal;

/// <summary>
/// Puts a brokered token on each request. When the downstream API answers 401, the token is fetched anew from the broker and
/// the request is sent once more, if its body can be sent twice (see <see cref="ReplayableContent"/>).
/// </summary>
/// <remarks>
/// A cached token is the common case and costs what a pass-through handler costs plus the header: no state machine while
/// the token and the answer are already there, and the header's value is made once per token (see
/// <see cref="BrokeredToken.AuthorizationHeaderValue"/>).
/// </remarks>
internal sealed class BrokeredTokenHandler(
    IBrokeredTokenProvider tokens,
    string connection,
    string? scope,
    ILogger<BrokeredTokenHandler> logger) : DelegatingHandler
{
    private const string AuthorizationHeader = "Authorization";

    // The key is made once for the handler's life, so a request neither normalizes nor hashes the scope. Only the library's
    // own provider takes a key; one registered in its place is called with the strings, as the interface says.
    private readonly TokenKey _key = TokenKey.Create(connection, scope);
    private readonly BrokeredTokenProvider? _provider = tokens as BrokeredTokenProvider;

    // A synchronous Send would have to block on the broker; failing loudly beats sending the request without a token.
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("An HttpClient with a brokered token supports only SendAsync; use the asynchronous methods.");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(request);
            var token = _provider is { } provider ? provider.GetTokenAsync(_key, cancellationToken) : tokens.GetTokenAsync(connection, scope, cancellationToken);
            if (!token.IsCompletedSuccessfully)
            {
                return SendWhenTokenArrivesAsync(request, token, cancellationToken);
            }

            Authorize(request, token.Result);
            var sending = base.SendAsync(request, cancellationToken);

            // An answer already there and not a 401 is handed back as it came: nothing to wait for, nothing to retry.
            return sending.IsCompletedSuccessfully && sending.Result.StatusCode != HttpStatusCode.Unauthorized
                ? sending
                : RetryOnUnauthorizedAsync(request, sending, cancellationToken);
        }
        catch (Exception ex)
        {
            // As the async method this was: a failure travels in the task (a cancellation as a cancelled task), never thrown here.
            return FailAsync(ExceptionDispatchInfo.Capture(ex));
        }
    }

    private static async Task<HttpResponseMessage> FailAsync(ExceptionDispatchInfo failure)
    {
        await Task.CompletedTask;
        failure.Throw();
        return null!;
    }

    private static void Authorize(HttpRequestMessage request, BrokeredToken token)
    {
        var headers = request.Headers;
        if (token.AuthorizationHeaderValue is { } value)
        {
            // Replaces any Authorization header, as the typed setter does, with the value shared by every request of this token.
            headers.Authorization = null;
            headers.TryAddWithoutValidation(AuthorizationHeader, value);
        }
        else
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        }
    }

    private async Task<HttpResponseMessage> SendWhenTokenArrivesAsync(HttpRequestMessage request, ValueTask<BrokeredToken> token, CancellationToken cancellationToken)
    {
        Authorize(request, await token);
        return await RetryOnUnauthorizedAsync(request, base.SendAsync(request, cancellationToken), cancellationToken);
    }

    private async Task<HttpResponseMessage> RetryOnUnauthorizedAsync(HttpRequestMessage request, Task<HttpResponseMessage> sending, CancellationToken cancellationToken)
    {
        var response = await sending;
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        BrokeredToken fresh;
        try
        {
            // Fetched even when the request cannot be retried, so that at least the next request carries the new token.
            fresh = await (_provider is { } provider ? provider.RefreshTokenAsync(_key, cancellationToken) : tokens.RefreshTokenAsync(connection, scope, cancellationToken));
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
        Authorize(request, fresh);
        return await base.SendAsync(request, cancellationToken);
    }
}
