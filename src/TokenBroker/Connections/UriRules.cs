using System.Net;

namespace TokenBroker.Connections;

/// <summary>The address and name rules the options validators and the caller authenticator share.</summary>
internal static class UriRules
{
    /// <summary>A loopback host, by name or as an IP literal.</summary>
    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));

    /// <summary>https, or plain http to a loopback host (local runs and tests).</summary>
    public static bool IsHttpsOrLoopbackHttp(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri));

    /// <summary>A Key Vault object (secret, certificate) name: 1 to 127 letters, digits and '-'.</summary>
    public static bool IsVaultObjectName(string name) =>
        name.Length is > 0 and <= 127 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>The one message for a setting <paramref name="key"/> that is not a Key Vault <paramref name="kind"/> name.</summary>
    public static string NotAVaultObjectName(string key, string kind) =>
        $"{key} must be a Key Vault {kind} name: 1 to 127 characters, letters, digits and '-'.";
}
