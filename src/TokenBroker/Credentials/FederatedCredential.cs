using Duende.IdentityModel.Client;
using TokenBroker.Connections;
using TokenBroker.Federation;

namespace TokenBroker.Credentials;

/// <summary>
/// Microsoft Entra ID workload identity federation (<c>managed_identity_federation</c>): the broker's own managed identity
/// token for the federation audience is the client assertion. No secret exists, so nothing is stored and nothing rotates:
/// a refusal is reported as it is.
/// </summary>
internal sealed class FederatedCredential(string audience) : ConnectionCredential(ClientAuthMethod.ManagedIdentityFederation)
{
    /// <summary>The audience of the managed identity token Entra ID accepts as a federated client assertion (public cloud).</summary>
    public const string DefaultAudience = "api://AzureADTokenExchange";

    /// <summary>The settings only this credential uses.</summary>
    public static IReadOnlyList<CredentialSetting> OwnSettings { get; } = [new("FederationAudience", o => o.FederationAudience)];

    public override string Kind => "federated credential";

    /// <summary>The federation audience.</summary>
    public override string Name => audience;

    /// <summary>The audience of the managed identity token used as the assertion.</summary>
    public string Audience => audience;

    public override string RefusalHint =>
        "Check the app registration's federated identity credential (issuer, subject and audience of the broker's managed identity)";

    /// <summary>Checks the <c>managed_identity_federation</c> settings of the connection configured under <paramref name="key"/>.</summary>
    public static void Validate(string key, ConnectionOptions options, List<string> errors)
    {
        if (!string.IsNullOrWhiteSpace(options.FederationAudience) && !IsFederationAudience(options.FederationAudience.Trim()))
        {
            errors.Add($"{key}:FederationAudience must be an absolute URI without query, fragment or '/.default', such as {DefaultAudience}.");
        }
    }

    // The validator has proved the settings; this only converts.
    public static FederatedCredential Create(ConnectionOptions options) =>
        new(string.IsNullOrWhiteSpace(options.FederationAudience) ? DefaultAudience : options.FederationAudience.Trim());

    // Azure.Identity caches the managed identity's tokens, so there is nothing to keep here and a reload is a get.
    public override async ValueTask<ClientCredential> GetAsync(CredentialServices services, CancellationToken cancellationToken) =>
        await services.ManagedIdentity.GetAsync(audience, cancellationToken);

    public override ValueTask<ClientCredential> ReloadAsync(CredentialServices services, CancellationToken cancellationToken) =>
        GetAsync(services, cancellationToken);

    public override void Apply(ClientCredentialsTokenRequest request, Connection connection, ClientCredential credential, CredentialServices services, List<string> presented)
    {
        var assertion = Expect<FederatedAssertion>(credential);
        request.ClientCredentialStyle = ClientCredentialStyle.PostBody;
        request.ClientAssertion = JwtBearer(assertion.Value);
        presented.Add(assertion.Value);
    }

    // The broker appends "/.default" itself; Entra's audiences (api://AzureADTokenExchange, …USGov, …China) are URIs.
    private static bool IsFederationAudience(string audience) =>
        Uri.TryCreate(audience, UriKind.Absolute, out var uri)
        && string.IsNullOrEmpty(uri.Query)
        && string.IsNullOrEmpty(uri.Fragment)
        && !audience.Any(char.IsWhiteSpace)
        && !audience.EndsWith("/.default", StringComparison.OrdinalIgnoreCase);
}
