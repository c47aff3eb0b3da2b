using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenBroker.Client.Internal;

/// <summary>
/// One call to <c>POST /api/token/{connection}</c>: signs in to the broker, sends the scope, and turns the answer into a
/// <see cref="BrokeredToken"/> or a <see cref="TokenBrokerException"/>.
/// </summary>
internal sealed class BrokerHttpClient(
    IHttpClientFactory httpClients,
    IEnumerable<TokenCredential> credentials,
    TimeProvider time,
    IOptions<TokenBrokerClientOptions> options,
    ILogger<BrokerHttpClient> logger)
{
    private const string FunctionKeyHeader = "x-functions-key";

    // A broker never hands out tokens for a year; the bound only keeps the arithmetic on DateTimeOffset in range.
    private static readonly TimeSpan LongestLifetime = TimeSpan.FromDays(366);

    // Whatever the container offers wins (the last registration, as for any single resolve); without one, the app's managed identity.
    private readonly Lazy<TokenCredential> _credential = new(() => credentials.LastOrDefault() ?? CreateManagedIdentityCredential(options.Value));

    public async Task<BrokeredToken> RequestTokenAsync(TokenKey key, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var callerToken = string.IsNullOrWhiteSpace(settings.BrokerScope)
            ? null
            : await GetCallerTokenAsync(key, settings.BrokerScope, cancellationToken);

        var sent = time.GetUtcNow();
        using var response = await SendAsync(key, settings, callerToken, cancellationToken);
        return response.IsSuccessStatusCode
            ? await ReadTokenAsync(key, response, sent, cancellationToken)
            : throw await ReadProblemAsync(key, response, cancellationToken);
    }

    private async Task<string> GetCallerTokenAsync(TokenKey key, string scope, CancellationToken cancellationToken)
    {
        try
        {
            var token = await _credential.Value.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken);
            return token.Token;
        }
        catch (AuthenticationFailedException ex)
        {
            Log.CallerTokenFailed(logger, key.Connection, scope, ex.GetType().Name);
            throw new TokenBrokerException($"Could not get this caller's own token for the broker (scope '{scope}'): {ex.Message}", ex)
            {
                Connection = key.Connection,
            };
        }
    }

    private async Task<HttpResponseMessage> SendAsync(TokenKey key, TokenBrokerClientOptions settings, string? callerToken, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(TokenBrokerClientOptions.HttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            using var request = CreateRequest(key, settings, callerToken);
            try
            {
                return await client.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex) when (attempt == 1 && ex.HttpRequestError == HttpRequestError.ConnectionError)
            {
                // The connection never opened, so the request never reached the broker: sending it again cannot do anything twice.
                Log.BrokerConnectionFailed(logger, key.Connection, ex.Message);
            }
            catch (HttpRequestException ex)
            {
                throw new TokenBrokerException($"Could not reach the token broker for connection '{key.Connection}': {ex.Message}", ex)
                {
                    Connection = key.Connection,
                };
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Nobody cancelled, so it is HttpClient.Timeout.
                throw new TokenBrokerException(
                    $"The token broker did not answer for connection '{key.Connection}' within {client.Timeout}.",
                    new TimeoutException(ex.Message, ex))
                {
                    Connection = key.Connection,
                };
            }
        }
    }

    private static HttpRequestMessage CreateRequest(TokenKey key, TokenBrokerClientOptions settings, string? callerToken)
    {
        var brokerUri = settings.BrokerUri ?? throw new InvalidOperationException($"{TokenBrokerClientOptions.SectionName}:BrokerUri is not set.");

        // Without the trailing slash, a broker under a path (https://host/broker) would lose the path when the route is appended.
        var baseUri = brokerUri.AbsolutePath.EndsWith('/') ? brokerUri : new Uri(brokerUri.AbsoluteUri + "/");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "api/token/" + Uri.EscapeDataString(key.Connection)));
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("application/problem+json");
        if (callerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", callerToken);
        }

        if (!string.IsNullOrEmpty(settings.FunctionKey))
        {
            request.Headers.TryAddWithoutValidation(FunctionKeyHeader, settings.FunctionKey);
        }

        if (key.Scope.Length > 0)
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new TokenRequestDocument(key.Scope), BrokerJsonContext.Default.TokenRequestDocument);
            request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json", "utf-8") } };
        }

        return request;
    }

    private async Task<BrokeredToken> ReadTokenAsync(TokenKey key, HttpResponseMessage response, DateTimeOffset sent, CancellationToken cancellationToken)
    {
        TokenResponseDocument? document;
        try
        {
            document = await response.Content.ReadFromJsonAsync(BrokerJsonContext.Default.TokenResponseDocument, cancellationToken);
        }
        catch (JsonException)
        {
            document = null;
        }

        if (document is not { AccessToken.Length: > 0, TokenType.Length: > 0 } || (document.ExpiresIn is null && document.ExpiresOn is null))
        {
            Log.UnusableResponse(logger, key.Connection, (int)response.StatusCode);
            throw new TokenBrokerException($"The token broker's answer for connection '{key.Connection}' is not a token response.")
            {
                Connection = key.Connection,
                Status = (int)response.StatusCode,
            };
        }

        // expires_in counts from the broker's answer, so it is immune to a clock that differs from the broker's; expires_on is
        // only the fallback. Counting from when the request was sent errs on the early side.
        var expiresOn = document.ExpiresIn is { } seconds
            ? sent + TimeSpan.FromSeconds(Math.Clamp(seconds, 0, (long)LongestLifetime.TotalSeconds))
            : DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(document.ExpiresOn!.Value, 0, (sent + LongestLifetime).ToUnixTimeSeconds()));
        return new BrokeredToken(document.AccessToken, document.TokenType, expiresOn, document.Scope);
    }

    private async Task<TokenBrokerException> ReadProblemAsync(TokenKey key, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        ProblemDocument? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                problem = await response.Content.ReadFromJsonAsync(BrokerJsonContext.Default.ProblemDocument, cancellationToken);
            }
            catch (JsonException)
            {
                // Not the broker speaking (a gateway's error page, say): the status alone has to do.
            }
        }

        // Azure's front end refuses a missing function key or caller token with no body; its challenge says why.
        var detail = problem?.Detail ?? (response.Headers.WwwAuthenticate.Count > 0 ? "WWW-Authenticate: " + response.Headers.WwwAuthenticate : null);
        Log.BrokerRefused(logger, key.Connection, status, problem?.Code, detail);
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"The token broker refused a token for connection '{key.Connection}': HTTP {status}{(problem?.Code is { } code ? " " + code : null)}{(detail is null ? null : ": " + detail)}");
        return new TokenBrokerException(message)
        {
            Connection = key.Connection,
            Status = status,
            Code = problem?.Code,
            Title = problem?.Title,
            Detail = detail,
            UpstreamError = problem?.UpstreamError,
            RetryAfter = RetryAfter(response, problem),
            TraceId = problem?.TraceId,
        };
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response, ProblemDocument? problem)
    {
        if (response.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta)
            {
                return delta;
            }

            if (header.Date is { } date)
            {
                var wait = date - time.GetUtcNow();
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return problem?.RetryAfter is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
    }

    private static ManagedIdentityCredential CreateManagedIdentityCredential(TokenBrokerClientOptions settings) =>
        new(string.IsNullOrWhiteSpace(settings.ManagedIdentityClientId)
            ? ManagedIdentityId.SystemAssigned
            : ManagedIdentityId.FromUserAssignedClientId(settings.ManagedIdentityClientId));
}
