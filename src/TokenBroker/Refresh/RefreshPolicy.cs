using Microsoft.Extensions.Options;
using TokenBroker.Caching;

namespace TokenBroker.Refresh;

/// <summary>
/// When a token should be refreshed: the later of <see cref="RefreshOptions.WindowRatio"/> of its lifetime and
/// <see cref="RefreshOptions.BeforeExpiry"/> before expiry, pulled earlier by random jitter so connections that were
/// fetched together do not all refresh in the same second, and never later than the last instant it may be served.
/// </summary>
internal sealed class RefreshPolicy(IOptions<RefreshOptions> options, ServingPolicy serving)
{
    private readonly RefreshOptions _options = options.Value;

    public DateTimeOffset RefreshAt(CachedToken token)
    {
        var lifetime = token.Lifetime;
        if (lifetime <= TimeSpan.Zero)
        {
            return token.AcquiredOn;
        }

        var byRatio = token.AcquiredOn + (lifetime * _options.WindowRatio);
        var byMargin = token.ExpiresOn - _options.BeforeExpiry;
        var point = byRatio > byMargin ? byRatio : byMargin;
        point -= lifetime * (_options.JitterRatio * Random.Shared.NextDouble());

        var serveUntil = serving.ServeUntil(token);
        if (point >= serveUntil)
        {
            point = token.AcquiredOn + ((serveUntil - token.AcquiredOn) * _options.WindowRatio);
        }

        return point < token.AcquiredOn ? token.AcquiredOn : point;
    }

    /// <summary>
    /// The next attempt after a refresh returned a token that expires when the old one did (a server that caches its own
    /// tokens, as Entra does): halfway to the end of serving, instead of asking again every run.
    /// </summary>
    public DateTimeOffset BackOff(CachedToken token, DateTimeOffset now)
    {
        var serveUntil = serving.ServeUntil(token);
        return serveUntil <= now ? now : now + ((serveUntil - now) / 2);
    }
}
