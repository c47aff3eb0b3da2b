using TokenBroker.Connections;

namespace TokenBroker.Credentials;

/// <summary>A connection setting that belongs to one client authentication method, so the others refuse it.</summary>
/// <param name="Name">The setting's name under <c>TokenBroker:Connections:{key}</c>.</param>
/// <param name="Read">Reads it from the connection's options.</param>
internal sealed record CredentialSetting(string Name, Func<ConnectionOptions, string?> Read)
{
    public bool IsSet(ConnectionOptions options) => !string.IsNullOrWhiteSpace(Read(options));
}
