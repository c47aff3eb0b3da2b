using System.Diagnostics.CodeAnalysis;
using TokenBroker.Connections;

namespace TokenBroker.Credentials;

/// <summary>
/// Every client authentication method the broker supports, each with its configuration name (the IANA OAuth registry's,
/// and <c>managed_identity_federation</c>, which is ours: on the wire it is a JWT client assertion too) and its credential
/// type: the one place a method is registered. The connection registry builds credentials from it and the options
/// validator checks settings with it.
/// </summary>
internal static class ClientAuthMethods
{
    /// <summary>The methods; the first is the default.</summary>
    public static IReadOnlyList<ClientAuthMethodRegistration> All { get; } =
    [
        new(ClientAuthMethod.ClientSecretBasic, "client_secret_basic", SecretCredential.Validate, SecretCredential.CreateBasic, SecretCredential.OwnSettings),
        new(ClientAuthMethod.ClientSecretPost, "client_secret_post", SecretCredential.Validate, SecretCredential.CreatePost, SecretCredential.OwnSettings),
        new(ClientAuthMethod.PrivateKeyJwt, "private_key_jwt", CertificateCredential.Validate, CertificateCredential.Create, CertificateCredential.OwnSettings),
        new(ClientAuthMethod.ManagedIdentityFederation, "managed_identity_federation", FederatedCredential.Validate, FederatedCredential.Create, FederatedCredential.OwnSettings),
    ];

    /// <summary>The method configured as <paramref name="name"/>; an unset name means the default.</summary>
    public static bool TryFind(string? name, [NotNullWhen(true)] out ClientAuthMethodRegistration? registration)
    {
        var trimmed = name?.Trim();
        registration = string.IsNullOrEmpty(trimmed) ? All[0] : All.FirstOrDefault(m => string.Equals(m.Name, trimmed, StringComparison.Ordinal));
        return registration is not null;
    }

    /// <summary>The registration of <paramref name="method"/>.</summary>
    public static ClientAuthMethodRegistration Of(ClientAuthMethod method)
    {
        foreach (var registration in All)
        {
            if (registration.Method == method)
            {
                return registration;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(method), method, "Not a registered client authentication method.");
    }
}
