using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;

namespace TokenBroker.Acquisition;

/// <summary>
/// The client-credentials grant (RFC 6749 §4.4) and its error responses (§5.2). Protocol messages are Duende.IdentityModel's;
/// retries, timeouts and the circuit breaker are in the HTTP client's resilience pipeline, not here.
/// </summary>
internal sealed partial class ClientCredentialsClient(
    IHttpClientFactory httpClientFactory,
    CredentialServices credentials,
    TimeProvider time,
    IOptions<TokenCacheOptions> cacheOptions,
    IOptions<TokenEndpointOptions> endpointOptions,
    TokenBrokerMetrics metrics,
    ILogger<ClientCredentialsClient> logger)
{
    public const string HttpClientName = "TokenBroker.TokenEndpoint";

    private const int MaxLoggedDescription = 300;

    public async Task<AcquisitionResult> RequestTokenAsync(Connection connection, ClientCredential credential, ScopeSet scopes, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var request = new ClientCredentialsTokenRequest
        {
            Address = connection.TokenEndpoint.AbsoluteUri,
            ClientId = connection.ClientId,
            Scope = scopes.Items.IsEmpty ? null : scopes.Value,
        };
        var presented = new List<string>(16);
        connection.Credential.Apply(request, connection, credential, credentials, presented);

        var http = httpClientFactory.CreateClient(HttpClientName);
        var response = await http.RequestClientCredentialsTokenAsync(request, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        var result = Interpret(connection, credential, presented, scopes, response);
        var outcome = result.Error?.Kind switch
        {
            null => "success",
            TokenErrorKind.UpstreamRejected => "rejected",
            TokenErrorKind.UpstreamInvalidResponse => "invalid_response",
            _ => "unavailable",
        };
        metrics.TokenRequested(connection.Name, outcome, time.GetElapsedTime(started));
        return result;
    }

    private AcquisitionResult Interpret(Connection connection, ClientCredential credential, List<string> presented, ScopeSet scopes, TokenResponse response)
    {
        var status = response.HttpStatusCode;
        if (response.ErrorType == ResponseErrorType.Exception)
        {
            return status == HttpStatusCode.OK
                ? InvalidResponse(connection, "the response body is not a JSON token response")
                : Unavailable(connection, null, $"{response.Exception?.GetType().Name ?? "error"} reaching the token endpoint", RetryAfterOf(response.Exception));
        }

        if (response.IsError)
        {
            // Duende treats only 400 as a protocol error, but Entra and others send invalid_client with 401: read the body either way.
            var error = JsonString(response, "error");
            var transient = (int)status >= 500 || status == HttpStatusCode.TooManyRequests
                || error is "temporarily_unavailable" or "server_error";
            if (transient)
            {
                return Unavailable(connection, error, $"HTTP {(int)status} {error}".TrimEnd(), RetryAfterOf(response.HttpResponse));
            }

            Log.Rejected(logger, connection.Name, (int)status, error ?? "(none)", Scrub(JsonString(response, "error_description"), presented));
            var detail = error is null
                ? $"The authorization server refused the token request with HTTP {(int)status}."
                : $"The authorization server refused the token request: {error}.";
            return AcquisitionResult.Failed(new TokenError(TokenErrorKind.UpstreamRejected, detail) { UpstreamError = error });
        }

        if (string.IsNullOrEmpty(response.AccessToken))
        {
            return InvalidResponse(connection, "the response has no access_token");
        }

        var tokenType = string.IsNullOrEmpty(response.TokenType) ? "Bearer" : response.TokenType;
        if (!string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            // A sender-constrained token (DPoP, mTLS) is bound to the broker's key and useless to anyone it is handed to.
            return InvalidResponse(connection, $"token_type '{Sanitize(tokenType)}' is not a bearer token and cannot be brokered");
        }

        var now = time.GetUtcNow();
        var lifetime = TokenLifetime.Resolve(response.Json, response.AccessToken, now, cacheOptions.Value.MaxTokenLifetime);
        if (lifetime.Problem is not null)
        {
            Log.LifetimeProblem(logger, connection.Name, lifetime.Problem);
        }

        if (lifetime.Rejected)
        {
            return InvalidResponse(connection, lifetime.Problem!);
        }

        var token = new CachedToken(
            response.AccessToken,
            "Bearer",
            string.IsNullOrWhiteSpace(response.Scope) ? scopes.Value : response.Scope,
            now,
            lifetime.ExpiresOn,
            credential.Version);
        return new AcquisitionResult(token, lifetime.Cacheable, null);
    }

    private AcquisitionResult Unavailable(Connection connection, string? upstreamError, string reason, TimeSpan? retryAfter)
    {
        var wait = retryAfter ?? endpointOptions.Value.UnavailableRetryAfter;
        Log.Unavailable(logger, connection.Name, reason, (int)wait.TotalSeconds);
        return AcquisitionResult.Failed(new TokenError(TokenErrorKind.UpstreamUnavailable, "The authorization server is unavailable; try again later.")
        {
            RetryAfter = wait,
            UpstreamError = upstreamError,
        });
    }

    // The OAuth error members are short ASCII codes by RFC 6749 §5.2; anything else is not echoed to callers.
    private static string? JsonString(TokenResponse response, string name)
    {
        if (response.Json is not { ValueKind: System.Text.Json.JsonValueKind.Object } json
            || !json.TryGetProperty(name, out var value)
            || value.ValueKind != System.Text.Json.JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetString();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return name == "error" && (text.Length > 64 || !text.All(c => c is >= ' ' and <= '~' and not '"' and not '\\')) ? "(unreadable)" : text;
    }

    private AcquisitionResult InvalidResponse(Connection connection, string reason)
    {
        Log.InvalidResponse(logger, connection.Name, reason);
        return AcquisitionResult.Failed(new TokenError(TokenErrorKind.UpstreamInvalidResponse, $"The authorization server's answer is not a usable token: {reason}."));
    }

    // RFC 9110 §10.2.3: delta-seconds or an HTTP-date. Zero, negative, past or unparsable mean "no usable hint" (the
    // default applies); anything longer than RetryAfterLimit is cut to it, or one header could hold a connection for decades.
    private TimeSpan? RetryAfterOf(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        if (wait is not { } value || value <= TimeSpan.Zero)
        {
            return null;
        }

        var limit = endpointOptions.Value.RetryAfterLimit;
        return value > limit ? limit : value;
    }

    private static TimeSpan? RetryAfterOf(Exception? exception) => exception switch
    {
        BrokenCircuitException { RetryAfter: { } wait } => wait,
        _ => null,
    };

    // An error_description is written by someone else's server: it might echo what we sent, so the secret or assertion is
    // cut out before the text reaches a log, and control characters go too.
    private static string Scrub(string? description, List<string> presented)
    {
        if (string.IsNullOrEmpty(description))
        {
            return string.Empty;
        }

        var text = description;
        lock (presented)
        {
            foreach (var value in presented)
            {
                text = text.Replace(value, "***", StringComparison.Ordinal);
            }
        }

        text = Sanitize(text);
        return text.Length <= MaxLoggedDescription ? text : string.Concat(text.AsSpan(0, MaxLoggedDescription), "…");
    }

    private static string Sanitize(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.TokenRequestRejected, Level = LogLevel.Warning, Message = "Authorization server refused the token request for connection {Connection}: HTTP {Status}, error {UpstreamError}: {ErrorDescription}")]
        public static partial void Rejected(ILogger logger, string connection, int status, string upstreamError, string errorDescription);

        [LoggerMessage(EventId = EventIds.TokenEndpointUnavailable, Level = LogLevel.Warning, Message = "Authorization server unavailable for connection {Connection}: {Reason}; callers are told to retry after {RetryAfterSeconds} s")]
        public static partial void Unavailable(ILogger logger, string connection, string reason, int retryAfterSeconds);

        [LoggerMessage(EventId = EventIds.TokenResponseInvalid, Level = LogLevel.Warning, Message = "Authorization server answered connection {Connection} with an unusable token response: {Reason}")]
        public static partial void InvalidResponse(ILogger logger, string connection, string reason);

        [LoggerMessage(EventId = EventIds.TokenLifetimeProblem, Level = LogLevel.Warning, Message = "Token lifetime for connection {Connection}: {Problem}")]
        public static partial void LifetimeProblem(ILogger logger, string connection, string problem);
    }
}
