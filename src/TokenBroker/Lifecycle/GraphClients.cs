using Azure.Core;
using Microsoft.Graph;
using Microsoft.Graph.Authentication;

namespace TokenBroker.Lifecycle;

/// <summary>Builds the Graph client the lifecycle uses, from the broker's credential and <see cref="GraphOptions"/>.</summary>
internal static class GraphClients
{
    public static GraphServiceClient Create(TokenCredential credential, GraphOptions options)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(options);

        // The token goes to the configured Graph host only (the SDK's default list names the public clouds' hosts),
        // for the configured scope rather than one guessed from the URL.
        var authentication = new AzureIdentityAuthenticationProvider(credential, [options.BaseUrl.Host], null, true, options.Scope);

        // Graph's own pipeline: retry on 429/503/504 honouring Retry-After, redirects, compression.
        var http = GraphClientFactory.Create();
        http.Timeout = options.Timeout;
        return new GraphServiceClient(http, authentication, options.BaseUrl.AbsoluteUri.TrimEnd('/'));
    }
}
