using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TokenBroker.Caching;

namespace TokenBroker.Functions.Http;

/// <summary>
/// The token response of one token, rendered to UTF-8 once and kept while the token lives: every member but
/// <c>expires_in</c>, which changes each second and is written between the two parts. A warm hit then copies bytes instead
/// of escaping and transcoding a 1-2 KB token, and knows its length, so the body goes out with a Content-Length.
/// </summary>
internal sealed class TokenResponseBody
{
    // Keyed by the token object: rendering is a pure function of it, and the entry goes when the token is collected.
    private static readonly ConditionalWeakTable<CachedToken, TokenResponseBody> Rendered = new();

    private readonly byte[] _head;
    private readonly byte[] _tail;

    private TokenResponseBody(CachedToken token)
    {
        // The same writer and options as writing the whole object at once, so the bytes are the same: only split.
        var buffer = new ArrayBufferWriter<byte>(token.AccessToken.Length + token.Scope.Length + 128);
        using var json = new Utf8JsonWriter(buffer);
        json.WriteStartObject();
        json.WriteString("access_token", token.AccessToken);
        json.WriteString("token_type", token.TokenType);
        json.WritePropertyName("expires_in");
        json.Flush();
        var headLength = buffer.WrittenCount;
        json.WriteNumberValue(0);
        json.Flush();
        var tailStart = buffer.WrittenCount;
        json.WriteNumber("expires_on", token.ExpiresOn.ToUnixTimeSeconds());
        json.WriteString("scope", token.Scope);
        json.WriteEndObject();
        json.Flush();
        _head = buffer.WrittenSpan[..headLength].ToArray();
        _tail = buffer.WrittenSpan[tailStart..].ToArray();
    }

    /// <summary>The result every response of this token shares, for one clock (see <see cref="TokenResponseResult.For"/>).</summary>
    public TokenResponseResult? SharedResult { get; set; }

    /// <summary>The rendering of <paramref name="token"/>, made on its first response.</summary>
    public static TokenResponseBody For(CachedToken token) => Rendered.GetValue(token, static token => new TokenResponseBody(token));

    /// <summary>Sets the response's Content-Length and writes the body, with <paramref name="expiresIn"/> seconds left.</summary>
    public void Write(HttpResponse response, long expiresIn)
    {
        Span<byte> digits = stackalloc byte[20];
        expiresIn.TryFormat(digits, out var digitCount, provider: CultureInfo.InvariantCulture);
        var length = _head.Length + digitCount + _tail.Length;
        response.ContentLength = length;

        var writer = response.BodyWriter;
        var span = writer.GetSpan(length);
        _head.CopyTo(span);
        digits[..digitCount].CopyTo(span[_head.Length..]);
        _tail.CopyTo(span[(_head.Length + digitCount)..]);
        writer.Advance(length);
    }
}
