using Duende.IdentityModel.Client;
using TokenBroker.Acquisition;
using TokenBroker.Connections;
using TokenBroker.Secrets;

namespace TokenBroker.Credentials;

/// <summary>
/// A client secret kept in Key Vault (RFC 6749 §2.3.1), sent in an HTTP Basic header (<c>client_secret_basic</c>) or
/// in the form body (<c>client_secret_post</c>).
/// </summary>
internal sealed class SecretCredential : VaultCredential
{
    private readonly ClientCredentialStyle _style;

    private SecretCredential(ClientAuthMethod method, string secretName, ClientCredentialStyle style)
        : base(method, Credentials.VaultObject.Secret(secretName)) => _style = style;

    /// <summary>The settings only this credential uses: none, since <c>SecretName</c> is tolerated by the other methods.</summary>
    public static IReadOnlyList<CredentialSetting> OwnSettings { get; } = [];

    /// <summary>The secret name.</summary>
    public string SecretName => Name;

    public static SecretCredential Basic(string secretName) =>
        new(ClientAuthMethod.ClientSecretBasic, secretName, ClientCredentialStyle.AuthorizationHeader);

    public static SecretCredential Post(string secretName) =>
        new(ClientAuthMethod.ClientSecretPost, secretName, ClientCredentialStyle.PostBody);

    /// <summary>Checks a secret method's settings of the connection configured under <paramref name="key"/>.</summary>
    public static void Validate(string key, ConnectionOptions options, List<string> errors) =>
        ValidateName($"{key}:SecretName", options.SecretName, required: true, Credentials.VaultObject.SecretKind, errors);

    // The validator has proved the settings; these only convert.
    public static SecretCredential CreateBasic(ConnectionOptions options) => Basic(options.SecretName!.Trim());

    public static SecretCredential CreatePost(ConnectionOptions options) => Post(options.SecretName!.Trim());

    public override void Apply(ClientCredentialsTokenRequest request, Connection connection, ClientCredential credential, CredentialServices services, List<string> presented)
    {
        var secret = Expect<ClientSecret>(credential);
        request.ClientSecret = secret.Value;
        request.ClientCredentialStyle = _style;
        presented.AddRange(SecretEchoes.Of(connection.ClientId, secret.Value));
    }
}
