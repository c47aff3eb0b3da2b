using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.Benchmarks.Stubs;

/// <summary>
/// Access tokens shaped like Entra ID's: a JWS with an RS256-sized signature and an <c>exp</c> claim, 1,200 characters in
/// all. Size matters here: the cache keeps the token, the broker writes it, and the bare endpoint's body must match it.
/// </summary>
internal static class RealisticToken
{
    /// <summary>The length of every token made here, in characters (ASCII, so also in UTF-8 bytes).</summary>
    public const int Length = 1200;

    // An RS256 signature is 256 bytes, 342 base64url characters; a few more bytes leave room to trim to the exact length.
    private const int SignatureBytes = 260;
    private const int SignatureChars = 342;

    private static readonly string Header = Encode("""{"typ":"JWT","alg":"RS256","x5t":"JDNa_4i4r7FgigL3sHIlI3xV-IU","kid":"JDNa_4i4r7FgigL3sHIlI3xV-IU"}""");

    public static string Create(DateTimeOffset now, TimeSpan lifetime, int seed = 0)
    {
        var issued = now.ToUnixTimeSeconds();
        var claims = string.Create(CultureInfo.InvariantCulture, $$"""{"aud":"api://payments-api","iss":"https://sts.windows.net/4b6c2a3e-9f1d-4e8a-b7c5-1d2e3f4a5b6c/","iat":{{issued}},"nbf":{{issued}},"exp":{{(now + lifetime).ToUnixTimeSeconds()}},"aio":"k2BgYJjMZ3t","appid":"9a1c5d7e-3b2f-4c6d-8e0a-{{seed:x12}}","appidacr":"1","idp":"https://sts.windows.net/4b6c2a3e-9f1d-4e8a-b7c5-1d2e3f4a5b6c/","oid":"f3e2d1c0-b9a8-4765-8432-10fedcba9876","roles":["Payments.Read","Payments.Write"],"sub":"f3e2d1c0-b9a8-4765-8432-10fedcba9876","tid":"4b6c2a3e-9f1d-4e8a-b7c5-1d2e3f4a5b6c","uti":""") + "\"";

        // Pad the last claim to the payload size that leaves room for a full signature, then trim the signature (which
        // nothing verifies) to land on Length exactly, whatever the widths of the timestamps.
        var payloadChars = Length - Header.Length - SignatureChars - 2;
        var padding = Math.Max(0, (payloadChars * 3 / 4) - claims.Length - 2);
        var payload = Encode(string.Concat(claims, new string('x', padding), "\"}"));
        var signature = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SignatureBytes));
        var token = string.Concat(Header, ".", payload, ".", signature[..(Length - Header.Length - payload.Length - 2)]);
        return token.Length == Length ? token : throw new InvalidOperationException($"A realistic token came out at {token.Length} characters.");
    }

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
