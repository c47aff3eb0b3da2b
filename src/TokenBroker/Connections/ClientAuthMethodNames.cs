using System.Diagnostics.CodeAnalysis;

namespace TokenBroker.Connections;

/// <summary>The configuration spelling of each <see cref="ClientAuthMethod"/>, as registered in the IANA OAuth registry.</summary>
internal static class ClientAuthMethodNames
{
    public const string ClientSecretBasic = "client_secret_basic";
    public const string ClientSecretPost = "client_secret_post";

    public static readonly string Supported = $"{ClientSecretBasic}, {ClientSecretPost}";

    public static bool TryParse(string? value, [NotNullWhen(true)] out ClientAuthMethod? method)
    {
        method = value?.Trim() switch
        {
            null or "" or ClientSecretBasic => ClientAuthMethod.ClientSecretBasic,
            ClientSecretPost => ClientAuthMethod.ClientSecretPost,
            _ => null,
        };
        return method is not null;
    }

    public static string ToName(ClientAuthMethod method) => method switch
    {
        ClientAuthMethod.ClientSecretPost => ClientSecretPost,
        _ => ClientSecretBasic,
    };
}
