namespace TokenBroker.IntegrationTests.Infrastructure;

/// <summary>
/// One Azurite and one authorization server for the whole run; each test gets its own table and connection names.
/// When the run ends, the fixture checks that no token or secret reached any log line or metric tag of any broker.
/// </summary>
public sealed partial class IntegrationFixture : IAsyncLifetime
{
    public AzuriteServer Storage { get; private set; } = null!;

    public AuthorizationServer Authorization { get; private set; } = null!;

    public SensitiveValueSink Sink { get; } = new();

    /// <summary>The key that seals tokens in the shared table, shared by every broker of the run like a vault secret would be.</summary>
    public static string CacheEncryptionKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public async Task InitializeAsync()
    {
        Sink.AddSensitive(AuthorizationServer.ClientSecret);
        Sink.AddSensitive(AuthorizationServer.OtherClientSecret);
        Sink.AddSensitive(AuthorizationServer.CallerClientSecret);
        Sink.AddSensitive(AuthorizationServer.SecondCallerClientSecret);
        Sink.AddSensitive(AuthorizationServer.ThirdCallerClientSecret);
        Sink.AddSensitive(CacheEncryptionKey);
        Storage = await AzuriteServer.StartAsync();
        Authorization = await AuthorizationServer.StartAsync();
    }

    /// <summary>Settings of a broker with one connection "demo" (plus "other") to the authorization server and a fresh table.</summary>
    public Dictionary<string, string?> BrokerSettings(string? table = null) => new()
    {
        ["TokenBroker:Connections:demo:TokenEndpoint"] = Authorization.TokenEndpoint.AbsoluteUri,
        ["TokenBroker:Connections:demo:ClientId"] = AuthorizationServer.ClientId,
        ["TokenBroker:Connections:demo:SecretName"] = "demo-secret",
        ["TokenBroker:Connections:demo:Scopes"] = "api.read",
        ["TokenBroker:Connections:demo:AllowedScopes"] = "api.read api.write",
        ["TokenBroker:Connections:other:TokenEndpoint"] = Authorization.TokenEndpoint.AbsoluteUri,
        ["TokenBroker:Connections:other:ClientId"] = AuthorizationServer.OtherClientId,
        ["TokenBroker:Connections:other:SecretName"] = "other-secret",
        ["TokenBroker:Connections:other:Scopes"] = "api.read",
        ["TokenBroker:Connections:other:AuthMethod"] = "client_secret_post",
        ["TokenBroker:Secrets:demo-secret"] = AuthorizationServer.ClientSecret,
        ["TokenBroker:Secrets:other-secret"] = AuthorizationServer.OtherClientSecret,
        ["TokenBroker:Secrets:token-cache-key"] = CacheEncryptionKey,
        ["TokenBroker:TokenCache:ConnectionString"] = Storage.ConnectionString,
        ["TokenBroker:TokenCache:TableName"] = table ?? NewTableName(),
        ["TokenBroker:TokenEndpoint:MaxRetryAttempts"] = "1",
        ["TokenBroker:TokenEndpoint:RetryDelay"] = "00:00:00.050",
        ["TokenBroker:TokenEndpoint:AttemptTimeout"] = "00:00:05",
        ["TokenBroker:TokenEndpoint:TotalTimeout"] = "00:00:10",
    };

    /// <summary>Settings of a broker that validates caller tokens from the authorization server and lets the caller app have demo's api.read.</summary>
    public Dictionary<string, string?> CallerIdentitySettings()
    {
        var settings = BrokerSettings();
        settings["TokenBroker:Callers:Authority"] = Authorization.BaseUri.AbsoluteUri;
        settings["TokenBroker:Callers:Audience"] = AuthorizationServer.BrokerAudience;
        settings["TokenBroker:Access:Rules:0:AppId"] = AuthorizationServer.CallerClientId;
        settings["TokenBroker:Access:Rules:0:Connections:demo"] = "api.read";
        return settings;
    }

    public static string NewTableName() => "t" + Guid.NewGuid().ToString("N")[..20];

    public Task<BrokerInstance> StartBrokerAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) =>
        BrokerInstance.StartAsync(this, settings ?? BrokerSettings(), services);

    public async Task DisposeAsync()
    {
        await DisposeWorkerAsync();
        var leaks = Sink.Leaks();
        await Authorization.DisposeAsync();
        await Storage.DisposeAsync();
        Sink.Dispose();
        if (leaks.Count > 0)
        {
            // Name where, never what: the line itself holds the value that leaked.
            throw new InvalidOperationException($"{leaks.Count} log lines or metric tags contain a token or a secret; the first was written by {string.Join(' ', leaks[0].Split(' ').Take(2))}.");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class IntegrationGroup : ICollectionFixture<IntegrationFixture>
{
    public const string Name = "integration";
}
