using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.Audit;

/// <summary>
/// What the audit shows of a token: the first 16 hex digits (64 bits) of its SHA-256. Enough to find every holder of a
/// leaked token (hash it the same way), useless for calling anything.
/// </summary>
internal static class TokenFingerprint
{
    /// <summary>The number of hex digits kept.</summary>
    public const int Length = 16;

    /// <summary>The fingerprint of <paramref name="accessToken"/>: lower-case hex of the first 8 bytes of its UTF-8 SHA-256.</summary>
    public static string Of(string accessToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(accessToken), hash);
        return Convert.ToHexStringLower(hash[..(Length / 2)]);
    }
}
