using TokenBroker.DevAuthorizationServer;

namespace TokenBroker.IntegrationTests.Infrastructure;

/// <summary>The real OpenIddict development server, in process, on a free loopback port.</summary>
public sealed class AuthorizationServer : IAsyncDisposable
{
    public const string ClientId = "broker-client";
    public const string ClientSecret = "integration-secret-5b0d7e2a91c34f68";
    public const string OtherClientId = "other-client";
    public const string OtherClientSecret = "integration-secret-other-31f9a7c2";

    /// <summary>A service calling the broker: it obtains its own token for the broker's audience here, as it would from Entra.</summary>
    public const string CallerClientId = "caller-app";
    public const string CallerClientSecret = "integration-caller-secret-8e41a0d7";
    public const string BrokerAudience = "api://tokenbroker";

    /// <summary>Two more calling services, so a test can tell callers apart.</summary>
    public const string SecondCallerClientId = "caller-b";
    public const string SecondCallerClientSecret = "integration-caller-b-secret-2c7e90f4";
    public const string ThirdCallerClientId = "caller-c";
    public const string ThirdCallerClientSecret = "integration-caller-c-secret-61ad3b8e";

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
            var caller = new DevClientRegistration { ClientId = CallerClientId };
            caller.Secrets.Add(CallerClientSecret);
            caller.Scopes.AddRange([BrokerAudience + "/.default", "api://someone-else/.default"]);
            options.Clients.Add(caller);
            foreach (var (id, secret) in new[] { (SecondCallerClientId, SecondCallerClientSecret), (ThirdCallerClientId, ThirdCallerClientSecret) })
            {
                var other = new DevClientRegistration { ClientId = id };
                other.Secrets.Add(secret);
                other.Scopes.Add(BrokerAudience + "/.default");
                options.Clients.Add(other);
            }
        });
        await app.StartAsync();
        return new AuthorizationServer(app);
    }

    /// <summary>A caller token from this server for <paramref name="audience"/>, obtained with the client-credentials grant.</summary>
    public Task<string> CallerTokenAsync(string audience = BrokerAudience) => CallerTokenAsync(CallerClientId, CallerClientSecret, audience);

    /// <summary>A caller token for the calling service <paramref name="clientId"/>.</summary>
    public async Task<string> CallerTokenAsync(string clientId, string clientSecret, string audience = BrokerAudience)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["scope"] = audience + "/.default",
        }));
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("access_token").GetString()!;
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
