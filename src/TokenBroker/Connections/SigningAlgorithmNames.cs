namespace TokenBroker.Connections;

/// <summary>The JWS algorithms a <c>private_key_jwt</c> client assertion may be signed with (RFC 7518 §3.3 and §3.5).</summary>
internal static class SigningAlgorithmNames
{
    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256: what every authorization server accepts, Entra ID included.</summary>
    public const string RS256 = "RS256";

    /// <summary>RSASSA-PSS with SHA-256: for servers (FAPI profiles among them) that refuse PKCS#1 v1.5.</summary>
    public const string PS256 = "PS256";

    public const string Supported = $"{RS256}, {PS256}";

    /// <summary>The canonical name of <paramref name="value"/>, <see cref="RS256"/> when it is empty, or null when unsupported.</summary>
    public static string? Normalize(string? value) => value?.Trim() switch
    {
        null or "" => RS256,
        var name when name.Equals(RS256, StringComparison.OrdinalIgnoreCase) => RS256,
        var name when name.Equals(PS256, StringComparison.OrdinalIgnoreCase) => PS256,
        _ => null,
    };
}
