using Duende.IdentityModel.Client;
using TokenBroker.Acquisition;
using TokenBroker.Certificates;
using TokenBroker.Connections;

namespace TokenBroker.Credentials;

/// <summary>
/// A Key Vault certificate whose private key signs <c>private_key_jwt</c> client assertions (RFC 7523 §2.2, RFC 7521
/// §4.2). A retried request signs a new assertion, since servers may refuse a jti they have seen.
/// </summary>
internal sealed class CertificateCredential : VaultCredential
{
    public CertificateCredential(string certificateName, string signingAlgorithm, string? assertionAudience)
        : base(ClientAuthMethod.PrivateKeyJwt, Credentials.VaultObject.Certificate(certificateName))
    {
        SigningAlgorithm = signingAlgorithm;
        AssertionAudience = assertionAudience;
    }

    /// <summary>The settings only this credential uses.</summary>
    public static IReadOnlyList<CredentialSetting> OwnSettings { get; } =
    [
        new("CertificateName", o => o.CertificateName),
        new("SigningAlgorithm", o => o.SigningAlgorithm),
        new("AssertionAudience", o => o.AssertionAudience),
    ];

    /// <summary>The certificate name.</summary>
    public string CertificateName => Name;

    /// <summary>The JWS algorithm of the assertions: <c>RS256</c> or <c>PS256</c>.</summary>
    public string SigningAlgorithm { get; }

    /// <summary>
    /// The issuer identifier the assertions name as their audience, for servers following draft-ietf-oauth-rfc7523bis;
    /// null when they name the token endpoint (RFC 7523, Entra ID).
    /// </summary>
    public string? AssertionAudience { get; }

    /// <summary>Checks the <c>private_key_jwt</c> settings of the connection configured under <paramref name="key"/>.</summary>
    public static void Validate(string key, ConnectionOptions options, List<string> errors)
    {
        ValidateName($"{key}:CertificateName", options.CertificateName, required: true, Credentials.VaultObject.CertificateKind, errors);
        if (SigningAlgorithmNames.Normalize(options.SigningAlgorithm) is null)
        {
            errors.Add($"{key}:SigningAlgorithm '{options.SigningAlgorithm}' is not supported; use one of: {SigningAlgorithmNames.Supported}.");
        }

        if (!string.IsNullOrWhiteSpace(options.AssertionAudience) && !IsIssuer(options.AssertionAudience.Trim()))
        {
            errors.Add($"{key}:AssertionAudience must be the authorization server's issuer identifier: an absolute https URL without query or fragment (http only for loopback hosts).");
        }
    }

    // The validator has proved the settings; this only converts.
    public static CertificateCredential Create(ConnectionOptions options) => new(
        options.CertificateName!.Trim(),
        SigningAlgorithmNames.Normalize(options.SigningAlgorithm)!,
        string.IsNullOrWhiteSpace(options.AssertionAudience) ? null : options.AssertionAudience.Trim());

    public override void Apply(ClientCredentialsTokenRequest request, Connection connection, ClientCredential credential, CredentialServices services, List<string> presented)
    {
        var certificate = Expect<ClientCertificate>(credential);
        request.ClientCredentialStyle = ClientCredentialStyle.PostBody;
        request.ClientAssertion = Signed();
        request.ClientAssertionFactory = () => Task.FromResult(Signed());
        request.Options.Set(ClientAssertionRetryHandler.Attempts, new ClientAssertionRetryHandler.AttemptCounter());

        ClientAssertion Signed()
        {
            var value = services.Assertions.Create(connection, this, certificate);
            lock (presented)
            {
                presented.Add(value);
            }

            return JwtBearer(value);
        }
    }

    // RFC 8414 §2: an issuer identifier is an https URL with no query or fragment.
    private static bool IsIssuer(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && UriRules.IsHttpsOrLoopbackHttp(uri)
        && string.IsNullOrEmpty(uri.Query)
        && string.IsNullOrEmpty(uri.Fragment)
        && string.IsNullOrEmpty(uri.UserInfo);
}
