using System.Net;
using System.Text;
using System.Web;

namespace TokenBroker.Acquisition;

/// <summary>
/// Every form in which a client secret leaves the broker, and so every form in which a server's error_description could
/// echo it back: verbatim, form-urlencoded (RFC 6749 §2.3.1 encodes before the Basic header, and
/// <c>client_secret_post</c> sends it in the form; encoders differ in hex case and in how they write a space), the Basic
/// header value (base64 of <c>client_id:secret</c>, encoded or not), and base64 of the secret alone, padded or not.
/// </summary>
internal static class SecretEchoes
{
    public static IReadOnlyList<string> Of(string clientId, string secret)
    {
        var forms = new HashSet<string>(StringComparer.Ordinal) { secret, Base64(secret) };
        foreach (var encode in new Func<string, string>[] { Identity, FormEncode, Uri.EscapeDataString, WebUtility.UrlEncode, HttpUtility.UrlEncode })
        {
            var encoded = encode(secret);
            forms.Add(encoded);
            forms.Add(Base64(encode(clientId) + ":" + encoded));
        }

        foreach (var form in forms.ToList())
        {
            forms.Add(form.TrimEnd('='));
        }

        forms.RemoveWhere(string.IsNullOrEmpty);

        // Longest first, so that a form containing a shorter one is cut whole.
        return [.. forms.OrderByDescending(f => f.Length)];
    }

    private static string Identity(string value) => value;

    // What Duende.IdentityModel sends in the Basic header: RFC 3986 escaping with '+' for a space.
    private static string FormEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    private static string Base64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
}
