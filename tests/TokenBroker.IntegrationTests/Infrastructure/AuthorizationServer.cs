using TokenBroker.DevAuthorizationServer;

namespace TokenBroker.IntegrationTests.Infrastructure;

/// <summary>The real OpenIddict development server, in process, on a free loopback port.</summary>
public sealed class AuthorizationServer : IAsyncDisposable
{
    public const string ClientId = "broker-client";
    public const string ClientSecret = "integration-secret-5b0d7e2a91c34f68";
    public const string OtherClientId = "other-client";
    public const string OtherClientSecret = "integration-secret-other-31f9a7c2";

    private readonly WebApplication _app;

    private AuthorizationServer(WebApplication app)
    {
        _app = app;
        BaseUri = new Uri(app.Urls.Single(u => u.StartsWith("http://", StringComparison.Ordinal)));
        Requests = app.Services.GetRequiredService<TokenRequestLog>();
        Secrets = app.Services.GetRequiredService<DevClientSecrets>();
    }

    public Uri BaseUri { get; }

    public Uri TokenEndpoint => new(BaseUri, "/connect/token");

    public TokenRequestLog Requests { get; }

    public DevClientSecrets Secrets { get; }

    public static async Task<AuthorizationServer> StartAsync(TimeSpan? tokenLifetime = null)
    {
        var app = DevAuthorizationServerApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Development"], options =>
        {
            options.AccessTokenLifetime = tokenLifetime ?? TimeSpan.FromHours(1);
            options.Clients.Add(Client(ClientId, ClientSecret));
            options.Clients.Add(Client(OtherClientId, OtherClientSecret));
        });
        await app.StartAsync();
        return new AuthorizationServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static DevClientRegistration Client(string id, string secret)
    {
        var client = new DevClientRegistration { ClientId = id };
        client.Secrets.Add(secret);
        client.Scopes.AddRange(["api.read", "api.write", "api.admin"]);
        return client;
    }
}
