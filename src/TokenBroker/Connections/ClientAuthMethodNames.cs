using TokenBroker.Credentials;

namespace TokenBroker.Connections;

/// <summary>The configuration spelling of each <see cref="ClientAuthMethod"/>, from <see cref="ClientAuthMethods"/>.</summary>
internal static class ClientAuthMethodNames
{
    /// <summary>Every name, for error messages.</summary>
    public static string Supported { get; } = string.Join(", ", ClientAuthMethods.All.Select(m => m.Name));

    public static string ToName(ClientAuthMethod method) => ClientAuthMethods.Of(method).Name;
}
