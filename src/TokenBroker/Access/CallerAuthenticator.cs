using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Access;

/// <summary>
/// Identifies callers. In <see cref="CallerMode.Jwt"/> mode it validates the bearer token with Microsoft.IdentityModel:
/// issuer and signing keys from the authority's OIDC metadata (cached, refreshed on an unknown key id, so a key rollover
/// needs no restart), the audience, the lifetime with a small skew, and an allow-list of asymmetric algorithms, so
/// <c>alg: none</c> and HMAC tokens signed with a public key are refused.
/// </summary>
public sealed partial class CallerAuthenticator
{
    /// <summary>The header App Service Authentication sets after validating the caller.</summary>
    internal const string EasyAuthHeader = "X-MS-CLIENT-PRINCIPAL";

    /// <summary>The name of the <see cref="HttpClient"/> that fetches the authority's OIDC metadata and signing keys.</summary>
    internal const string MetadataHttpClientName = "TokenBroker.CallerMetadata";

    private const int MaxTokenLength = 16 * 1024;

    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    private readonly CallerMode _mode;
    private readonly CallerOptions _options;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? _metadata;
    private readonly TimeProvider _time;
    private readonly ILogger<CallerAuthenticator> _logger;

    /// <summary>Creates the authenticator from validated options.</summary>
    internal CallerAuthenticator(IOptions<CallerOptions> options, IHostEnvironment environment, TimeProvider time, IHttpClientFactory httpClients, ILogger<CallerAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(httpClients);
        _options = options.Value;
        _mode = _options.EffectiveMode(environment.IsDevelopment());
        _time = time;
        _logger = logger;
        if (_mode == CallerMode.Jwt && _options.Authority is { } authority)
        {
            var metadataAddress = authority.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration";
            _metadata = new ConfigurationManager<OpenIdConnectConfiguration>(
                metadataAddress,
                new OpenIdConnectConfigurationRetriever(),
                // The client's timeout bounds every fetch, including the key refresh the token handler starts on an
                // unknown key id: the library's default client would wait 100 s for an authority that never answers.
                new HttpDocumentRetriever(httpClients.CreateClient(MetadataHttpClientName)) { RequireHttps = !UriRules.IsLoopback(authority) });
        }
    }

    /// <summary>The mode in force.</summary>
    internal CallerMode Mode => _mode;

    /// <summary>The role that grants the operations endpoints.</summary>
    internal string AdminRole => _options.AdminRole;

    /// <summary>Identifies the caller from the request's <c>Authorization</c> and <c>X-MS-CLIENT-PRINCIPAL</c> headers.</summary>
    internal ValueTask<CallerAuthentication> AuthenticateAsync(string? authorization, string? clientPrincipal, CancellationToken cancellationToken) => _mode switch
    {
        // Cached results: the modes without a token to check cost the request path nothing.
        CallerMode.Development => ValueTask.FromResult(DevelopmentCaller),
        CallerMode.FunctionKeyOnly => ValueTask.FromResult(FunctionKeyCaller),
        CallerMode.EasyAuth => ValueTask.FromResult(FromClientPrincipal(clientPrincipal)),
        _ => new ValueTask<CallerAuthentication>(ValidateBearerAsync(authorization)),
    };

    private static readonly CallerAuthentication DevelopmentCaller = CallerAuthentication.Success(Caller.Development);
    private static readonly CallerAuthentication FunctionKeyCaller = CallerAuthentication.Success(Caller.FunctionKeyHolder);

    private async Task<CallerAuthentication> ValidateBearerAsync(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return CallerAuthentication.Missing("Send an access token for the broker in the Authorization header (Bearer).");
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return new CallerAuthentication(null, "invalid_request", "The Authorization header must use the Bearer scheme.");
        }

        var token = authorization["Bearer ".Length..].Trim();
        if (token.Length is 0 or > MaxTokenLength)
        {
            return CallerAuthentication.Invalid("The bearer token is empty or too long.");
        }

        if (!await HasMetadataAsync())
        {
            // The token was not checked, so it is not called bad: the caller is told to try again, as for any
            // upstream the broker cannot reach.
            return CallerAuthentication.Unavailable(
                "The broker cannot check caller tokens now: the authority's signing keys are unavailable. Try again later.",
                _options.MetadataRetryAfter);
        }

        var result = await _handler.ValidateTokenAsync(token, Parameters());
        if (!result.IsValid)
        {
            var reason = Describe(result.Exception);
            Log.TokenRejected(_logger, reason, result.Exception?.GetType().Name ?? "unknown");
            return CallerAuthentication.Invalid(reason);
        }

        var claims = result.ClaimsIdentity;
        var appId = claims.FindFirst("azp")?.Value ?? claims.FindFirst("appid")?.Value;
        var objectId = claims.FindFirst("oid")?.Value;
        var roles = claims.FindAll("roles").Select(c => c.Value).ToImmutableArray();
        return CallerAuthentication.Success(new Caller(CallerMode.Jwt, appId, objectId, roles));
    }

    // True once the authority's metadata and keys have been fetched: afterwards the configuration manager serves the
    // last good ones when a refresh fails, so only a broker that never had them must turn callers away.
    private async Task<bool> HasMetadataAsync()
    {
        if (_metadata is null)
        {
            return true;
        }

        using var timeout = new CancellationTokenSource(_options.MetadataTimeout, _time);
        try
        {
            await _metadata.GetConfigurationAsync(timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or HttpRequestException or IOException)
        {
            Log.MetadataUnavailable(_logger, _metadata.MetadataAddress, ex.GetType().Name);
            return false;
        }
    }

    private TokenValidationParameters Parameters() => new()
    {
        ConfigurationManager = _metadata,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidAudience = _options.Audience,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        ValidAlgorithms = Algorithms,
        ClockSkew = _options.ClockSkew,
        LifetimeValidator = (notBefore, expires, _, parameters) =>
        {
            // Checked against the broker's clock (TimeProvider), not the machine's, like every other expiry here.
            var now = _time.GetUtcNow().UtcDateTime;
            return (notBefore is null || notBefore.Value - parameters.ClockSkew <= now)
                && expires is { } exp && now < exp + parameters.ClockSkew;
        },
    };

    private static CallerAuthentication FromClientPrincipal(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return CallerAuthentication.Missing("App Service Authentication did not identify the caller.");
        }

        try
        {
            using var document = JsonDocument.Parse(Convert.FromBase64String(header));
            var root = document.RootElement;
            var roleType = root.TryGetProperty("role_typ", out var rt) && rt.ValueKind == JsonValueKind.String ? rt.GetString() : "roles";
            string? appId = null, objectId = null;
            var roles = ImmutableArray.CreateBuilder<string>();
            foreach (var claim in root.GetProperty("claims").EnumerateArray())
            {
                var type = claim.GetProperty("typ").GetString();
                var value = claim.GetProperty("val").GetString();
                switch (type)
                {
                    case "azp" or "appid":
                        appId ??= value;
                        break;
                    case "oid" or "http://schemas.microsoft.com/identity/claims/objectidentifier":
                        objectId ??= value;
                        break;
                    case not null when type == roleType || type == "roles":
                        if (value is not null)
                        {
                            roles.Add(value);
                        }

                        break;
                }
            }

            return CallerAuthentication.Success(new Caller(CallerMode.EasyAuth, appId, objectId, roles.ToImmutable()));
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return CallerAuthentication.Invalid("The X-MS-CLIENT-PRINCIPAL header is malformed.");
        }
    }

    // Fixed sentences: a validation message can quote token content, so none of it is passed on.
    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenInvalidLifetimeException => "The token has expired or is not valid yet.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenInvalidAudienceException => "The token was not issued for this broker (audience).",
        SecurityTokenInvalidIssuerException => "The token was not issued by the trusted authority.",
        SecurityTokenInvalidAlgorithmException => "The token's signing algorithm is not accepted.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token's signature is not valid.",
        SecurityTokenNoExpirationException => "The token has no expiry.",
        SecurityTokenMalformedException or ArgumentException => "The token is malformed.",
        _ => "The token is not valid.",
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.CallerTokenRejected, Level = LogLevel.Warning, Message = "Refused a caller token: {Reason} ({ExceptionType})")]
        public static partial void TokenRejected(ILogger logger, string reason, string exceptionType);

        [LoggerMessage(EventId = EventIds.CallerMetadataUnavailable, Level = LogLevel.Error, Message = "Cannot check caller tokens: the OIDC metadata at {MetadataAddress} was never fetched ({ExceptionType})")]
        public static partial void MetadataUnavailable(ILogger logger, string metadataAddress, string exceptionType);
    }
}
