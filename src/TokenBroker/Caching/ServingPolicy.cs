using Microsoft.Extensions.Options;

namespace TokenBroker.Caching;

/// <summary>
/// Whether a token may still be handed to a caller: only while more than a safety margin is left, so that it never
/// expires in transit. The margin is the smaller of <see cref="TokenCacheOptions.SafetyMargin"/> and
/// <see cref="TokenCacheOptions.SafetyMarginRatio"/> of the token's lifetime, so a short-lived token is not thrown away
/// at once. Every tier, the refresh policy and the audit trail ask here.
/// </summary>
internal sealed class ServingPolicy(IOptions<TokenCacheOptions> options)
{
    private readonly TimeSpan _margin = options.Value.SafetyMargin;
    private readonly double _ratio = options.Value.SafetyMarginRatio;

    /// <summary>The margin for a token that lived <paramref name="lifetime"/>: the smaller of the fixed margin and the ratio.</summary>
    public TimeSpan MarginFor(TimeSpan lifetime)
    {
        var proportional = lifetime * _ratio;
        return proportional < _margin ? proportional : _margin;
    }

    /// <summary>The last instant <paramref name="token"/> may be served; never, for a token whose lifetime is not positive.</summary>
    public DateTimeOffset ServeUntil(CachedToken token) =>
        token.Lifetime > TimeSpan.Zero ? token.ExpiresOn - MarginFor(token.Lifetime) : DateTimeOffset.MinValue;

    /// <summary>Whether <paramref name="token"/> may be served at <paramref name="now"/>.</summary>
    public bool IsServable(CachedToken token, DateTimeOffset now) => now < ServeUntil(token);
}
