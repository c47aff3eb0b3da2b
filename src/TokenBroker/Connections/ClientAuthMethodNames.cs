using System.Diagnostics.CodeAnalysis;

namespace TokenBroker.Connections;

/// <summary>
/// The configuration spelling of each <see cref="ClientAuthMethod"/>: the IANA OAuth registry's names, and
/// <c>managed_identity_federation</c>, which is ours (on the wire it is a JWT client assertion too).
/// </summary>
internal static class ClientAuthMethodNames
{
    public const string ClientSecretBasic = "client_secret_basic";
    public const string ClientSecretPost = "client_secret_post";
    public const string PrivateKeyJwt = "private_key_jwt";
    public const string ManagedIdentityFederation = "managed_identity_federation";

    public static readonly string Supported = $"{ClientSecretBasic}, {ClientSecretPost}, {PrivateKeyJwt}, {ManagedIdentityFederation}";

    public static bool TryParse(string? value, [NotNullWhen(true)] out ClientAuthMethod? method)
    {
        method = value?.Trim() switch
        {
            null or "" or ClientSecretBasic => ClientAuthMethod.ClientSecretBasic,
            ClientSecretPost => ClientAuthMethod.ClientSecretPost,
            PrivateKeyJwt => ClientAuthMethod.PrivateKeyJwt,
            ManagedIdentityFederation => ClientAuthMethod.ManagedIdentityFederation,
            _ => null,
        };
        return method is not null;
    }

    public static string ToName(ClientAuthMethod method) => method switch
    {
        ClientAuthMethod.ClientSecretPost => ClientSecretPost,
        ClientAuthMethod.PrivateKeyJwt => PrivateKeyJwt,
        ClientAuthMethod.ManagedIdentityFederation => ManagedIdentityFederation,
        _ => ClientSecretBasic,
    };

    /// <summary>True for the methods that present a client secret.</summary>
    public static bool UsesSecret(ClientAuthMethod method) =>
        method is ClientAuthMethod.ClientSecretBasic or ClientAuthMethod.ClientSecretPost;
}
