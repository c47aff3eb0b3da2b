using TokenBroker.Caching;

namespace TokenBroker.Acquisition;

/// <summary>The outcome of one exchange with a token endpoint.</summary>
internal readonly record struct AcquisitionResult(CachedToken? Token, bool Cacheable, TokenError? Error)
{
    public static AcquisitionResult Failed(TokenError error) => new(null, false, error);
}
