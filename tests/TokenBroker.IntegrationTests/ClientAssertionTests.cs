using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Core;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.DevAuthorizationServer;
using TokenBroker.Rotation;
using TokenBroker.Tests.Support;

namespace TokenBroker.IntegrationTests;

/// <summary>
/// <c>private_key_jwt</c> and workload identity federation against the real OpenIddict server, which validates client
/// assertions against the certificates registered for the client (OpenIddict 7 follows draft-ietf-oauth-rfc7523bis: the
/// audience is its issuer and the type <c>client-authentication+jwt</c>; the dev server adds jti replay detection). The
/// vault is Moq over CertificateClient and SecretClient; certificates are made at run time.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class ClientAssertionTests(IntegrationFixture fixture)
{
    private const string ClientId = "assertion-client";
    private const string FederatedClientId = "federated-client";
    private const string CertificateName = "assertion-cert";
    private const string Connection = "signed";

    [Fact]
    public async Task A_broker_using_private_key_jwt_gets_a_real_token()
    {
        using var certificate = TestCertificates.Create("broker-v1");
        await using var server = await AssertionServer.StartAsync(TimeSpan.FromMinutes(5), Client(ClientId, certificate));
        var vault = new CertificateVaultMock(CertificateName);
        vault.Add(certificate);
        await using var broker = await StartBrokerAsync(server, vault, certificate);

        var call = await broker.RequestTokenAsync(Connection);

        Assert.Equal(200, call.Status);
        var token = new JsonWebToken(call.AccessToken);
        Assert.Equal(ClientId, token.GetClaim("client_id").Value);
        Assert.Equal(server.Issuer.AbsoluteUri, token.Issuer);
        var request = Assert.Single(server.Requests.Records);
        Assert.Equal(ClientAuthenticationStyle.Assertion, request.AuthenticationStyle);
        Assert.Equal("c1", await CredentialVersionAsync(broker));
    }

    [Fact]
    public async Task The_server_rejects_an_assertion_signed_with_a_wrong_key_an_expired_one_and_a_replayed_jti()
    {
        using var registered = TestCertificates.Create("registered");
        using var unregistered = TestCertificates.Create("unregistered");
        await using var server = await AssertionServer.StartAsync(TimeSpan.FromMinutes(5), Client(ClientId, registered));
        var accepted = Assertion(registered, ClientId, server.Issuer, DateTime.UtcNow);

        var first = await server.PostAsync(ClientId, accepted);
        var replayed = await server.PostAsync(ClientId, accepted);
        var wrongKey = await server.PostAsync(ClientId, Assertion(unregistered, ClientId, server.Issuer, DateTime.UtcNow));
        var expired = await server.PostAsync(ClientId, Assertion(registered, ClientId, server.Issuer, DateTime.UtcNow.AddMinutes(-10)));

        Assert.Equal((200, null), first);
        Assert.Equal((401, "invalid_client"), replayed);
        Assert.Equal((401, "invalid_client"), wrongKey);
        Assert.Equal((401, "invalid_client"), expired);
    }

    [Fact]
    public async Task Rotating_the_certificate_in_the_documented_order_under_load_fails_no_request()
    {
        using var v1 = TestCertificates.Create("broker-v1");
        using var v2 = TestCertificates.Create("broker-v2");
        await using var server = await AssertionServer.StartAsync(TimeSpan.FromSeconds(3), Client(ClientId, v1));
        var vault = new CertificateVaultMock(CertificateName);
        vault.Add(v1);
        await using var broker = await StartBrokerAsync(server, vault, v1, v2);

        var statuses = await UnderLoadAsync(broker, TimeSpan.FromSeconds(7), async () =>
        {
            await Task.Delay(800);
            await server.Certificates.AddAsync(ClientId, v2);    // 1. register the new certificate with the app
            await Task.Delay(400);
            vault.Add(v2);                                       // 2. new version in Key Vault (no event: found on invalid_client)
            await Task.Delay(800);
            await server.Certificates.RemoveAsync(ClientId, v1); // 3. revoke the old one
        });

        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Contains(server.Requests.Records, r => r.Error == "invalid_client");
        Assert.Equal("c2", await CredentialVersionAsync(broker));
    }

    [Theory]
    [InlineData("Microsoft.KeyVault.CertificateNewVersionCreated")]
    [InlineData("Microsoft.KeyVault.SecretNewVersionCreated")] // Key Vault also creates a version of the certificate's secret
    public async Task Either_key_vault_event_for_a_new_certificate_version_moves_the_broker_to_it_at_once(string eventType)
    {
        using var v1 = TestCertificates.Create("broker-v1");
        using var v2 = TestCertificates.Create("broker-v2");
        await using var server = await AssertionServer.StartAsync(TimeSpan.FromMinutes(5), Client(ClientId, v1, v2));
        var vault = new CertificateVaultMock(CertificateName);
        vault.Add(v1);
        await using var broker = await StartBrokerAsync(server, vault, v1, v2);
        Assert.Equal(200, (await broker.RequestTokenAsync(Connection)).Status);

        var v2Version = vault.Add(v2);
        await broker.Services.GetRequiredService<SecretEventProcessor>().HandleAsync(SecretEvents.EventGrid(eventType, CertificateName, v2Version, null), CancellationToken.None);

        Assert.Equal(v2Version, await CredentialVersionAsync(broker));
        Assert.All(server.Requests.Records, r => Assert.True(r.Succeeded));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Managed_identity_federation_presents_the_managed_identity_token_as_the_client_assertion()
    {
        using var identityKey = TestCertificates.Create("managed-identity");
        await using var server = await AssertionServer.StartAsync(TimeSpan.FromMinutes(5), Client(FederatedClientId, identityKey));
        var identity = new FakeManagedIdentity(() =>
        {
            var token = Assertion(identityKey, FederatedClientId, server.Issuer, DateTime.UtcNow);
            fixture.Sink.AddSensitive(token);
            return token;
        });
        var settings = fixture.BrokerSettings();
        settings[$"TokenBroker:Connections:{Connection}:TokenEndpoint"] = server.TokenEndpoint.AbsoluteUri;
        settings[$"TokenBroker:Connections:{Connection}:ClientId"] = FederatedClientId;
        settings[$"TokenBroker:Connections:{Connection}:AuthMethod"] = "managed_identity_federation";
        settings[$"TokenBroker:Connections:{Connection}:Scopes"] = "api.read";
        await using var broker = await fixture.StartBrokerAsync(settings, services => services.AddSingleton<TokenCredential>(identity));

        var call = await broker.RequestTokenAsync(Connection);

        Assert.Equal(200, call.Status);
        Assert.Equal(FederatedClientId, new JsonWebToken(call.AccessToken).GetClaim("client_id").Value);
        Assert.Equal(["api://AzureADTokenExchange/.default"], Assert.Single(identity.Requests));
        Assert.Equal(ClientAuthenticationStyle.Assertion, Assert.Single(server.Requests.Records).AuthenticationStyle);
        Assert.Equal("federated", await CredentialVersionAsync(broker));
    }

    private Task<BrokerInstance> StartBrokerAsync(AssertionServer server, CertificateVaultMock vault, params X509Certificate2[] certificates)
    {
        foreach (var certificate in certificates)
        {
            fixture.Sink.AddSensitive(PrivateKeyBase64(certificate));
        }

        var settings = fixture.BrokerSettings();
        settings[$"TokenBroker:Connections:{Connection}:TokenEndpoint"] = server.TokenEndpoint.AbsoluteUri;
        settings[$"TokenBroker:Connections:{Connection}:ClientId"] = ClientId;
        settings[$"TokenBroker:Connections:{Connection}:AuthMethod"] = "private_key_jwt";
        settings[$"TokenBroker:Connections:{Connection}:CertificateName"] = CertificateName;
        settings[$"TokenBroker:Connections:{Connection}:AssertionAudience"] = server.Issuer.AbsoluteUri;
        settings[$"TokenBroker:Connections:{Connection}:Scopes"] = "api.read";
        settings["TokenBroker:KeyVaultUri"] = "https://vault.vault.azure.net/";
        settings["TokenBroker:SecretCacheDuration"] = "01:00:00";
        return fixture.StartBrokerAsync(settings, services =>
        {
            services.AddSingleton<CertificateClient>(vault.Certificates.Object);
            services.AddSingleton<SecretClient>(vault.Secrets.Object);
        });
    }

    private static async Task<ConcurrentBag<int>> UnderLoadAsync(BrokerInstance broker, TimeSpan duration, Func<Task> rotation)
    {
        var statuses = new ConcurrentBag<int>();
        using var stop = new CancellationTokenSource(duration);
        var callers = Enumerable.Range(0, 6).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                statuses.Add((await broker.RequestTokenAsync(Connection)).Status);
                await Task.Delay(20);
            }
        }).ToList();

        await rotation();
        await Task.WhenAll(callers);
        Assert.True(statuses.Count > 100, $"only {statuses.Count} requests were made");
        return statuses;
    }

    private static async Task<string?> CredentialVersionAsync(BrokerInstance broker)
    {
        broker.Services.GetRequiredService<ConnectionRegistry>().TryGet(Connection, out var connection);
        var entry = (await broker.Services.GetRequiredService<TableTokenStore>().ReadAsync(connection!.DefaultCacheKey, CancellationToken.None)).Entry;
        return entry?.Token?.SecretVersion;
    }

    private static DevClientRegistration Client(string clientId, params X509Certificate2[] certificates)
    {
        var client = new DevClientRegistration { ClientId = clientId };
        client.Certificates.AddRange(certificates.Select(c => c.ExportCertificatePem()));
        client.Scopes.AddRange(["api.read", "api.write"]);
        return client;
    }

    // Written here rather than by the broker, so the server's checks are tested on their own.
    private static string Assertion(X509Certificate2 certificate, string clientId, Uri issuer, DateTime issuedAt) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = issuer.AbsoluteUri,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["jti"] = Guid.NewGuid().ToString() },
            TokenType = "client-authentication+jwt",
            SigningCredentials = new X509SigningCredentials(certificate, SecurityAlgorithms.RsaSha256),
        });

    private static string PrivateKeyBase64(X509Certificate2 certificate)
    {
        using var key = certificate.GetRSAPrivateKey()!;
        return Convert.ToBase64String(key.ExportPkcs8PrivateKey());
    }

    /// <summary>The broker's managed identity, as far as the broker can tell: a <see cref="TokenCredential"/>.</summary>
    private sealed class FakeManagedIdentity(Func<string> mint) : TokenCredential
    {
        public ConcurrentQueue<string[]> Requests { get; } = new();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Requests.Enqueue(requestContext.Scopes);
            return new AccessToken(mint(), DateTimeOffset.UtcNow.AddMinutes(5));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    /// <summary>A development authorization server of this class's own, with certificate clients.</summary>
    private sealed class AssertionServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly HttpClient _http = new();

        private AssertionServer(WebApplication app)
        {
            _app = app;
            Issuer = new Uri(app.Urls.Single());
            TokenEndpoint = new Uri(Issuer, "/connect/token");
            Requests = app.Services.GetRequiredService<TokenRequestLog>();
            Certificates = app.Services.GetRequiredService<DevClientCertificates>();
        }

        /// <summary>OpenIddict's issuer when none is configured: the base URI it is reached at.</summary>
        public Uri Issuer { get; }

        public Uri TokenEndpoint { get; }

        public TokenRequestLog Requests { get; }

        public DevClientCertificates Certificates { get; }

        public static async Task<AssertionServer> StartAsync(TimeSpan tokenLifetime, DevClientRegistration client)
        {
            var app = DevAuthorizationServerApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Development"], options =>
            {
                options.AccessTokenLifetime = tokenLifetime;
                options.Clients.Add(client);
            });
            await app.StartAsync();
            return new AssertionServer(app);
        }

        /// <summary>A client credentials request authenticated with <paramref name="assertion"/>: the status and OAuth error.</summary>
        public async Task<(int Status, string? Error)> PostAsync(string clientId, string assertion)
        {
            using var content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = clientId,
                ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ["client_assertion"] = assertion,
                ["scope"] = "api.read",
            });
            using var response = await _http.PostAsync(TokenEndpoint, content);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return ((int)response.StatusCode, body.TryGetProperty("error", out var error) ? error.GetString() : null);
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
