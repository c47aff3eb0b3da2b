using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Graph;
using Microsoft.Graph.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenBroker.DevAuthorizationServer;
using TokenBroker.Tests.Support;

namespace TokenBroker.IntegrationTests.Infrastructure.Graph;

/// <summary>
/// A development authorization server set up as an Entra ID tenant for the credential lifecycle: app registrations with
/// owners, the Graph-compatible endpoint, a propagation delay for new credentials, and a fake clock that steps through it.
/// <see cref="ManagedApp"/> (a secret and a certificate) and <see cref="ForeignApp"/> are applications; the broker's
/// identity (<see cref="BrokerIdentity"/>) owns the first only.
/// </summary>
public sealed class EntraDirectory : IAsyncDisposable
{
    public const string ManagedApp = "rotating-app";
    public const string ManagedAppSecret = "rotating-app-initial-secret-3c9d41f0";
    public const string ForeignApp = "foreign-app";
    public const string ForeignAppSecret = "foreign-app-secret-77a0e2c5";
    public const string ForeignAppObjectId = "5d0c7e1a-93b4-4f2e-8a61-2c4f0b9e7d13";
    public const string BrokerIdentity = "broker-identity";
    public const string BrokerIdentitySecret = "broker-identity-secret-0b6f93d8";
    public const string GraphScope = "https://graph.microsoft.com/.default";

    private readonly WebApplication _app;

    private EntraDirectory(WebApplication app, FakeTimeProvider time, X509Certificate2 managedAppCertificate, TimeSpan propagationDelay)
    {
        _app = app;
        Time = time;
        ManagedAppCertificate = managedAppCertificate;
        PropagationDelay = propagationDelay;
        BaseUri = new Uri(app.Urls.Single(u => u.StartsWith("http://", StringComparison.Ordinal)));
        Credential = new DevServerCredential(TokenEndpoint, BrokerIdentity, BrokerIdentitySecret);
    }

    public Uri BaseUri { get; }

    public Uri TokenEndpoint => new(BaseUri, "/connect/token");

    /// <summary>Graph's v1.0 root on this server.</summary>
    public Uri GraphBaseUrl => new(BaseUri, "/v1.0");

    /// <summary>The server's clock: starts at the real time and moves only when a test advances it.</summary>
    public FakeTimeProvider Time { get; }

    public TimeSpan PropagationDelay { get; }

    /// <summary>The certificate <see cref="ManagedApp"/> holds when the server starts, with its private key.</summary>
    public X509Certificate2 ManagedAppCertificate { get; }

    /// <summary>Every request that reached the token endpoint (accepted or refused, with its OAuth error), until reset.</summary>
    public TokenRequestLog Requests => _app.Services.GetRequiredService<TokenRequestLog>();

    /// <summary>The broker's managed identity: tokens for Graph as <see cref="BrokerIdentity"/>.</summary>
    internal DevServerCredential Credential { get; }

    /// <summary>
    /// Starts the server; <paramref name="ownedApps"/> are more applications the broker's identity owns, each holding
    /// <see cref="ManagedAppCertificate"/> only (no secret); <paramref name="ownedSecretApps"/> are more it owns, each
    /// holding one client secret only, <see cref="InitialSecretOf"/>.
    /// </summary>
    public static async Task<EntraDirectory> StartAsync(TimeSpan? propagationDelay = null, int? maxCredentials = null, IReadOnlyList<string>? ownedApps = null, IReadOnlyList<string>? ownedSecretApps = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var certificate = TestCertificates.Create("rotating-app-v1");
        var delay = propagationDelay ?? TimeSpan.FromSeconds(30);
        var app = DevAuthorizationServerApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Development"], options =>
        {
            options.CredentialPropagationDelay = delay;
            if (maxCredentials is { } max)
            {
                options.MaxCredentialsPerApplication = max;
            }

            var managed = new DevClientRegistration { ClientId = ManagedApp };
            managed.Secrets.Add(ManagedAppSecret);
            managed.Certificates.Add(certificate.ExportCertificatePem());
            managed.Scopes.Add("api.read");
            managed.Owners.Add(BrokerIdentity);
            options.Clients.Add(managed);

            var foreign = new DevClientRegistration { ClientId = ForeignApp };
            foreign.Secrets.Add(ForeignAppSecret);
            foreign.Scopes.Add("api.read");
            foreign.Owners.Add("someone-else");
            foreign.ObjectId = ForeignAppObjectId;
            options.Clients.Add(foreign);

            foreach (var appId in ownedApps ?? [])
            {
                var owned = new DevClientRegistration { ClientId = appId };
                owned.Certificates.Add(certificate.ExportCertificatePem());
                owned.Scopes.Add("api.read");
                owned.Owners.Add(BrokerIdentity);
                options.Clients.Add(owned);
            }

            foreach (var appId in ownedSecretApps ?? [])
            {
                var owned = new DevClientRegistration { ClientId = appId };
                owned.Secrets.Add(InitialSecretOf(appId));
                owned.Scopes.Add("api.read");
                owned.Owners.Add(BrokerIdentity);
                options.Clients.Add(owned);
            }

            var broker = new DevClientRegistration { ClientId = BrokerIdentity };
            broker.Secrets.Add(BrokerIdentitySecret);
            broker.Scopes.Add(GraphScope);
            options.Clients.Add(broker);
        }, time);
        await app.StartAsync();
        return new EntraDirectory(app, time, certificate, delay);
    }

    /// <summary>The client secret an application of <c>ownedSecretApps</c> holds when the server starts.</summary>
    public static string InitialSecretOf(string appId) => $"{appId}-initial-secret-5e0a93c17d";

    /// <summary>The real Graph SDK client, signed in as the broker's identity and pointed at this server.</summary>
    public GraphServiceClient CreateGraphClient(Azure.Core.TokenCredential? credential = null) =>
        new(new HttpClient(), new AzureIdentityAuthenticationProvider(credential ?? Credential, [BaseUri.Host], null, true, GraphScope), GraphBaseUrl.AbsoluteUri);

    /// <summary>A client-credentials request with a secret (<c>client_secret_basic</c> or <c>client_secret_post</c>): the status and OAuth error.</summary>
    public async Task<(HttpStatusCode Status, string? Error)> RequestTokenAsync(string clientId, string secret, bool basic = false)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "api.read" };
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenEndpoint);
        if (basic)
        {
            // RFC 6749 §2.3.1: each part form-encoded, then base64.
            var pair = $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}";
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pair)));
        }
        else
        {
            form["client_id"] = clientId;
            form["client_secret"] = secret;
        }

        request.Content = new FormUrlEncodedContent(form);
        return await SendAsync(request);
    }

    /// <summary>A <c>private_key_jwt</c> request signed with <paramref name="certificate"/>, stamped by this server's clock.</summary>
    public async Task<(HttpStatusCode Status, string? Error)> RequestTokenWithAssertionAsync(string clientId, X509Certificate2 certificate)
    {
        var now = Time.GetUtcNow().UtcDateTime;
        var assertion = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = BaseUri.AbsoluteUri,
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["jti"] = Guid.NewGuid().ToString("N") },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            TokenType = "client-authentication+jwt",
            SigningCredentials = new X509SigningCredentials(certificate),
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["scope"] = "api.read",
                ["client_id"] = clientId,
                ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ["client_assertion"] = assertion,
            }),
        };
        return await SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        ManagedAppCertificate.Dispose();
    }

    private static async Task<(HttpStatusCode Status, string? Error)> SendAsync(HttpRequestMessage request)
    {
        using var http = new HttpClient();
        using var response = await http.SendAsync(request);
        if (response.IsSuccessStatusCode)
        {
            return (response.StatusCode, null);
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.TryGetProperty("error", out var error) ? error.GetString() : null);
    }
}
