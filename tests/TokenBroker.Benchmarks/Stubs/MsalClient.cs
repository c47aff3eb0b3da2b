using Microsoft.Identity.Client;

namespace TokenBroker.Benchmarks.Stubs;

/// <summary>
/// MSAL.NET's confidential client as a service would build it for the client-credentials grant, with its HTTP pointed at
/// <see cref="StubAuthorizationServer"/> so it never reaches the network. Each instance has its own in-memory token cache.
/// </summary>
internal static class MsalClient
{
    public static readonly string[] Scopes = ["api://payments-api/.default"];

    public static IConfidentialClientApplication Create(StubAuthorizationServer server) =>
        ConfidentialClientApplicationBuilder.Create("9a1c5d7e-3b2f-4c6d-8e0a-000000000000")
            .WithClientSecret("benchmark-secret-0b1c2d3e4f")
            .WithAuthority("https://login.microsoftonline.com/4b6c2a3e-9f1d-4e8a-b7c5-1d2e3f4a5b6c")
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new Factory(server))
            .Build();

    private sealed class Factory(StubAuthorizationServer server) : IMsalHttpClientFactory
    {
        // One client, as MSAL expects of a factory; the handler outlives it.
        private readonly HttpClient _client = new(server, disposeHandler: false);

        public HttpClient GetHttpClient() => _client;
    }
}
