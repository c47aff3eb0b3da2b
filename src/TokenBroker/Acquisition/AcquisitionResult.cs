using TokenBroker.Caching;

namespace TokenBroker.Acquisition;

/// <summary>The outcome of obtaining a token from an authorization server.</summary>
/// <param name="Token">The token, on success.</param>
/// <param name="Cacheable">Whether the token has a lifetime the broker can trust.</param>
/// <param name="Error">The failure, otherwise.</param>
internal readonly record struct AcquisitionResult(CachedToken? Token, bool Cacheable, TokenError? Error)
{
    /// <summary>Set when the failure is <c>invalid_client</c> for the latest credential and every previous version, or for a federated assertion.</summary>
    public bool EverySecretRefused { get; init; }

    public static AcquisitionResult Failed(TokenError error) => new(null, false, error);
}
