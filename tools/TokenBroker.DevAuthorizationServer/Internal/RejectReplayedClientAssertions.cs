using System.Collections.Concurrent;
using System.Globalization;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>
/// Refuses a client assertion whose <c>jti</c> this server has already accepted from the same client, until the
/// assertion expires (RFC 7523 §3, item 7). OpenIddict validates the signature, lifetime, issuer and audience of client
/// assertions but keeps no record of their identifiers, and Entra ID, Okta and others do, so clients must be tested
/// against a server that does. An assertion without a <c>jti</c> cannot be checked and is refused too.
/// </summary>
internal sealed class RejectReplayedClientAssertions(TimeProvider time, ILogger<RejectReplayedClientAssertions> logger)
    : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _used = new(StringComparer.Ordinal);

    /// <summary>After OpenIddict's own checks, so only genuine assertions are remembered.</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireClientAssertionPrincipal>()
            .UseSingletonHandler<RejectReplayedClientAssertions>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientAssertionIssuer.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var principal = context.ClientAssertionPrincipal!;
        var clientId = principal.GetClaim(Claims.Issuer) ?? string.Empty;
        var jti = principal.GetClaim(Claims.JwtId);
        if (string.IsNullOrEmpty(jti))
        {
            context.Reject(Errors.InvalidClient, "The client assertion has no jti claim, so it cannot be protected against replay.");
            return default;
        }

        var now = time.GetUtcNow();
        foreach (var (key, expires) in _used)
        {
            if (expires <= now)
            {
                _used.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, expires));
            }
        }

        if (!_used.TryAdd(string.Concat(clientId, "\u001f", jti), ExpiryOf(principal) ?? now.AddHours(1)))
        {
            logger.AssertionReplayed(clientId);
            context.Reject(Errors.InvalidClient, "The client assertion was already used: its jti has been seen before.");
        }

        return default;
    }

    private static DateTimeOffset? ExpiryOf(System.Security.Claims.ClaimsPrincipal principal) =>
        principal.GetExpirationDate()
        ?? (long.TryParse(principal.GetClaim(Claims.ExpiresAt), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null);
}
