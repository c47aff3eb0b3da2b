using System.Buffers.Binary;
using System.Text;

namespace TokenBroker.Caching;

/// <summary>
/// What <see cref="TokenProtector"/> encrypts: the token and every fact that decides whether and how it is served
/// (acquired-on, expiry, token type, granted scope, secret version). The clear-text columns beside it are copies for
/// operators and the refresh job; serving uses only what comes out of here, so editing them serves nothing new.
/// </summary>
internal static class SealedContent
{
    private const byte Layout = 1;

    public static byte[] Write(CachedToken token)
    {
        var fields = new[] { token.TokenType, token.Scope, token.SecretVersion }.Select(Encoding.UTF8.GetBytes).ToArray();
        var accessToken = Encoding.UTF8.GetBytes(token.AccessToken);
        var buffer = new byte[1 + 8 + 8 + fields.Sum(f => 4 + f.Length) + accessToken.Length];
        var span = buffer.AsSpan();
        span[0] = Layout;
        BinaryPrimitives.WriteInt64BigEndian(span[1..], token.AcquiredOn.UtcTicks);
        BinaryPrimitives.WriteInt64BigEndian(span[9..], token.ExpiresOn.UtcTicks);
        var offset = 17;
        foreach (var field in fields)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[offset..], field.Length);
            field.CopyTo(span[(offset + 4)..]);
            offset += 4 + field.Length;
        }

        accessToken.CopyTo(span[offset..]);
        Array.Clear(accessToken);
        return buffer;
    }

    /// <summary>The token back; null when the bytes are not this layout (only a broker with the key can have written them).</summary>
    public static CachedToken? Read(ReadOnlySpan<byte> content)
    {
        if (content.Length < 17 || content[0] != Layout)
        {
            return null;
        }

        var acquiredTicks = BinaryPrimitives.ReadInt64BigEndian(content[1..]);
        var expiresTicks = BinaryPrimitives.ReadInt64BigEndian(content[9..]);
        if (!IsTicks(acquiredTicks) || !IsTicks(expiresTicks))
        {
            return null;
        }

        var rest = content[17..];
        var fields = new string[3];
        for (var i = 0; i < fields.Length; i++)
        {
            if (rest.Length < 4)
            {
                return null;
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(rest);
            if (length < 0 || length > rest.Length - 4)
            {
                return null;
            }

            fields[i] = Encoding.UTF8.GetString(rest.Slice(4, length));
            rest = rest[(4 + length)..];
        }

        return rest.IsEmpty
            ? null
            : new CachedToken(
                Encoding.UTF8.GetString(rest),
                fields[0],
                fields[1],
                new DateTimeOffset(acquiredTicks, TimeSpan.Zero),
                new DateTimeOffset(expiresTicks, TimeSpan.Zero),
                fields[2]);
    }

    private static bool IsTicks(long ticks) => ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks;
}
