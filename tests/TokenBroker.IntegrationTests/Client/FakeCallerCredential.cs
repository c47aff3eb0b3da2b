using System.Collections.Concurrent;
using Azure.Core;

namespace TokenBroker.IntegrationTests.Client;

/// <summary>Stands in for the managed identity: hands out a fixed caller token and records the scopes asked for.</summary>
internal sealed class FakeCallerCredential(string token) : TokenCredential
{
    private readonly ConcurrentQueue<string> _scopes = new();

    public IReadOnlyList<string> RequestedScopes => [.. _scopes];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        foreach (var scope in requestContext.Scopes)
        {
            _scopes.Enqueue(scope);
        }

        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
