using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.DevAuthorizationServer;

namespace TokenBroker.Benchmarks.ColdBurst;

/// <summary>
/// The development authorization server (OpenIddict, the one bench/run.sh and the integration tests use) in this process on
/// a free loopback port, with one client for the brokers. Its <see cref="TokenRequestLog"/> counts every token request.
/// </summary>
internal sealed class LocalAuthorizationServer : IAsyncDisposable
{
    public const string ClientId = "bench-client";
    public const string ClientSecret = "bench-secret-2f9c41d7a0b3e58c";
    public const string Scope = "api.read";

    private readonly WebApplication _app;
    private readonly TokenRequestLog _log;

    private LocalAuthorizationServer(WebApplication app)
    {
        _app = app;
        _log = app.Services.GetRequiredService<TokenRequestLog>();
        TokenEndpoint = new Uri(new Uri(app.Urls.Single()), "/connect/token");
    }

    public Uri TokenEndpoint { get; }

    /// <summary>Token requests received since the server started.</summary>
    public int TokenRequests => _log.Count;

    /// <param name="responseDelay">How long each token request is held before it is answered (Entra-like latency); none by default.</param>
    public static async Task<LocalAuthorizationServer> StartAsync(TimeSpan responseDelay = default)
    {
        var app = DevAuthorizationServerApp.Build(
            ["--urls", "http://127.0.0.1:0", "--environment", "Development", "--Logging:LogLevel:Default=Warning"],
            options =>
            {
                var client = new DevClientRegistration { ClientId = ClientId };
                client.Secrets.Add(ClientSecret);
                client.Scopes.Add(Scope);
                options.Clients.Add(client);
                options.TokenResponseDelay = responseDelay;
            });
        await app.StartAsync();
        return new LocalAuthorizationServer(app);
    }

    /// <summary>One client-credentials request sent straight to the server, as the broker sends it; its latency in milliseconds.</summary>
    public async Task<double> TimeDirectRequestAsync(HttpClient http)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
            ["scope"] = Scope,
        });
        var started = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync(TokenEndpoint, form);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        response.EnsureSuccessStatusCode();
        return elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
