using Azure;
using Azure.Core;
using Azure.Identity;
using TokenBroker.Credentials;
using TokenBroker.Secrets;

namespace TokenBroker.Federation;

/// <summary>
/// Obtains the broker's managed identity token for a connection's federation audience (<c>api://AzureADTokenExchange</c>),
/// the assertion Entra ID exchanges for a token of the downstream app registration. Azure.Identity caches and refreshes
/// these tokens itself, so asking on every token request costs nothing extra.
/// </summary>
internal sealed class ManagedIdentityAssertionSource(TokenCredential credential)
{
    private const string Kind = "federated credential";

    public async ValueTask<FederatedAssertion> GetAsync(string audience, CancellationToken cancellationToken)
    {
        AccessToken token;
        try
        {
            token = await credential.GetTokenAsync(new TokenRequestContext([audience + "/.default"]), cancellationToken);
        }
        catch (AuthenticationFailedException ex)
        {
            throw new ClientCredentialUnavailableException(Kind, audience, "the managed identity could not obtain a token for this audience", ex);
        }
        catch (RequestFailedException ex)
        {
            throw new ClientCredentialUnavailableException(Kind, audience, $"the managed identity endpoint answered status {ex.Status}", ex);
        }
        catch (Exception ex) when (KeyVaultFailure.IsUnavailable(ex, cancellationToken))
        {
            // Network failures after retries arrive as AggregateException (or a timeout), not as the two above.
            throw new ClientCredentialUnavailableException(Kind, audience, "the managed identity endpoint could not be reached", ex);
        }

        return string.IsNullOrEmpty(token.Token)
            ? throw new ClientCredentialUnavailableException(Kind, audience, "the managed identity returned an empty token")
            : new FederatedAssertion(token.Token);
    }
}
