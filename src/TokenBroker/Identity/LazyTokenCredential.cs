using Azure.Core;
using Azure.Identity;

namespace TokenBroker.Identity;

/// <summary>
/// The broker's own Azure identity, built on its first use instead of with the container. Building it is not free: in
/// Development <see cref="DefaultAzureCredential"/> builds its whole chain, and every managed identity credential loads
/// MSAL. Many services take a <see cref="TokenCredential"/> in their constructors (the Key Vault and table clients, the
/// federation assertion source), so without this the credential was built before the web server started, while a
/// first token read from the table and a local secret never uses it. In Azure its first use is the start-up check's
/// read of the cache key, which runs beside the web server's start.
/// </summary>
/// <remarks>
/// Built once, whichever caller comes first. A credential that cannot be built (an invalid
/// <c>AZURE_TOKEN_CREDENTIALS</c>, for one) fails every use with a <see cref="CredentialUnavailableException"/>, the
/// type every client of a credential already treats as "no token for you".
/// </remarks>
internal sealed class LazyTokenCredential(Func<TokenCredential> create) : TokenCredential
{
    private readonly Lazy<TokenCredential> _credential = new(() => Create(create), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether the credential has been built.</summary>
    internal bool IsBuilt => _credential.IsValueCreated;

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        _credential.Value.GetToken(requestContext, cancellationToken);

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        _credential.Value.GetTokenAsync(requestContext, cancellationToken);

    private static TokenCredential Create(Func<TokenCredential> create)
    {
        try
        {
            return create();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Lazy keeps this exception and throws it again on every use: the settings that broke it do not change.
            throw new CredentialUnavailableException("The broker's Azure identity could not be created from its settings.", ex);
        }
    }
}
