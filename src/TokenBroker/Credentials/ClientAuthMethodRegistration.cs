using TokenBroker.Connections;

namespace TokenBroker.Credentials;

/// <summary>One client authentication method: its name in configuration, its credential type and that type's options rules.</summary>
/// <param name="Method">The method.</param>
/// <param name="Name">Its configuration spelling (<c>AuthMethod</c>).</param>
/// <param name="Validate">Checks the connection's settings for this method, adding errors that name the full key.</param>
/// <param name="Create">Builds the connection's credential from settings <paramref name="Validate"/> accepted.</param>
/// <param name="OwnSettings">Settings only this method uses: the other methods refuse them.</param>
internal sealed record ClientAuthMethodRegistration(
    ClientAuthMethod Method,
    string Name,
    Action<string, ConnectionOptions, List<string>> Validate,
    Func<ConnectionOptions, ConnectionCredential> Create,
    IReadOnlyList<CredentialSetting> OwnSettings);
