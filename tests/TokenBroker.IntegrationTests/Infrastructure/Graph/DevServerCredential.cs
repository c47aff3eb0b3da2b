using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Core;

namespace TokenBroker.IntegrationTests.Infrastructure.Graph;

/// <summary>
/// The broker's managed identity, in tests: a <see cref="TokenCredential"/> that gets its tokens from the development
/// authorization server with the client credentials grant, for the scope the client asks (Graph's <c>/.default</c>).
/// Every token it hands out is remembered, so a test can prove none reaches a log.
/// </summary>
internal sealed class DevServerCredential(Uri tokenEndpoint, string clientId, string clientSecret) : TokenCredential
{
    private readonly ConcurrentQueue<string> _issued = new();

    /// <summary>Every access token this credential obtained.</summary>
    public IReadOnlyCollection<string> IssuedTokens => [.. _issued];

    /// <summary>The scopes of each request, in order.</summary>
    public ConcurrentQueue<string> RequestedScopes { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var scope = string.Join(' ', requestContext.Scopes);
        RequestedScopes.Enqueue(scope);
        using var http = new HttpClient();
        using var response = await http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["scope"] = scope,
        }), cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var token = json.RootElement.GetProperty("access_token").GetString()!;
        _issued.Enqueue(token);
        return new AccessToken(token, DateTimeOffset.UtcNow.AddSeconds(json.RootElement.GetProperty("expires_in").GetInt32()));
    }
}
