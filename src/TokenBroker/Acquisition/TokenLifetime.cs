using System.Globalization;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace TokenBroker.Acquisition;

/// <summary>
/// Decides when a freshly issued token expires. Authorization servers get <c>expires_in</c> wrong in every way
/// (missing, a string, zero, negative, a hundred years), so the answer is: the server's number when it is sane,
/// clamped to a maximum, never later than the JWT's own <c>exp</c>, and "do not cache" when nothing can be trusted.
/// </summary>
/// <param name="ExpiresOn">When the token expires.</param>
/// <param name="Cacheable">Whether the token may be kept and served again.</param>
/// <param name="Rejected">The token must not be handed out at all: it is already expired by the server's own account.</param>
/// <param name="Problem">What was wrong with the server's answer, for the log; null when nothing was.</param>
internal readonly record struct TokenLifetime(DateTimeOffset ExpiresOn, bool Cacheable, bool Rejected, string? Problem)
{
    public static TokenLifetime Resolve(JsonElement? response, string accessToken, DateTimeOffset now, TimeSpan max)
    {
        var jwtExpiry = ReadJwtExpiry(accessToken, now);
        var declared = ReadExpiresIn(response);

        if (declared is { } value)
        {
            // RFC 6749 §5.1: expires_in is the lifetime in seconds. A fraction is floored, never rounded up, so 0.5 is
            // zero seconds: the server says the token is already expired, whatever its exp claim says.
            var seconds = Math.Floor(Math.Min(value, max.TotalSeconds));
            if (seconds <= 0)
            {
                return new TokenLifetime(now, false, true, "expires_in was less than one second: the token is already expired");
            }

            var expiresOn = now + TimeSpan.FromSeconds(seconds);
            var clamped = value > max.TotalSeconds ? "expires_in was larger than the maximum token lifetime and was clamped" : null;
            if (jwtExpiry is { } exp && exp < expiresOn)
            {
                // The resource server checks exp, not our arithmetic.
                return new TokenLifetime(exp, true, false, clamped);
            }

            return new TokenLifetime(expiresOn, true, false, clamped);
        }

        if (jwtExpiry is { } fromToken)
        {
            var capped = fromToken - now > max ? now + max : fromToken;
            return new TokenLifetime(capped, true, false, null);
        }

        // No lifetime at all: hand it out once, cache nothing, and tell the caller it has no time left to rely on.
        return new TokenLifetime(now, false, false, "expires_in was missing and the token carries no exp claim; the token is not cached");
    }

    /// <summary>expires_in as seconds: a JSON number or a numeric string; null when absent or unparseable.</summary>
    internal static double? ReadExpiresIn(JsonElement? response)
    {
        if (response is not { ValueKind: JsonValueKind.Object } json || !json.TryGetProperty("expires_in", out var value))
        {
            return null;
        }

        double seconds;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetDouble(out seconds):
                break;
            case JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds):
                break;
            default:
                return null;
        }

        return double.IsFinite(seconds) ? seconds : null;
    }

    private static DateTimeOffset? ReadJwtExpiry(string accessToken, DateTimeOffset now)
    {
        // Opaque tokens are normal; only a JWS with a numeric exp in the future tells us anything.
        if (accessToken.Count(c => c == '.') != 2)
        {
            return null;
        }

        try
        {
            var jwt = new JsonWebToken(accessToken);
            if (!jwt.TryGetPayloadValue<long>("exp", out var exp))
            {
                return null;
            }

            var expiry = DateTimeOffset.FromUnixTimeSeconds(exp);
            return expiry > now ? expiry : null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or JsonException or OverflowException or InvalidOperationException)
        {
            return null;
        }
    }
}
