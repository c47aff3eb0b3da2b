using System.Security.Cryptography;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;

namespace TokenBroker.IntegrationTests.Infrastructure;

/// <summary>
/// The real Functions worker under the stand-in host, and a standalone host configured the same way, each started once
/// for the run (a worker start costs seconds). Both run as in Azure: not Development, secrets and the token cache key in
/// a Key Vault (the Key Vault-compatible endpoint, reached with the real managed identity flow), Table Storage in Azurite,
/// callers authenticated with tokens from the authorization server and one access rule. Tests that share them use their
/// own connection names or only read.
/// </summary>
public sealed partial class IntegrationFixture
{
    private readonly SemaphoreSlim _hostsStarting = new(1, 1);
    private KeyVaultEndpoint? _vault;
    private FunctionsHost.FunctionsHost? _worker;
    private BrokerInstance? _standalone;

    /// <summary>The function key both hosts accept: the stand-in host's default key and the standalone host's ApiKey.</summary>
    public string FunctionKey { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    /// <summary>The Key Vault the shared hosts read their secrets from.</summary>
    public KeyVaultEndpoint Vault => _vault ?? throw new InvalidOperationException("Start the shared hosts first.");

    /// <summary>The shared worker's app settings (the standalone host gets the same, with its own table).</summary>
    public IReadOnlyDictionary<string, string?> WorkerSettings { get; private set; } = new Dictionary<string, string?>();

    public async Task<FunctionsHost.FunctionsHost> WorkerAsync()
    {
        await StartSharedHostsAsync();
        return _worker!;
    }

    public async Task<BrokerInstance> StandaloneAsync()
    {
        await StartSharedHostsAsync();
        return _standalone!;
    }

    /// <summary>App settings for a worker or standalone host configured as in Azure, on a fresh table.</summary>
    public Dictionary<string, string?> ProductionSettings(KeyVaultEndpoint vault)
    {
        ArgumentNullException.ThrowIfNull(vault);
        var settings = CallerIdentitySettings();
        foreach (var key in settings.Keys.Where(k => k.StartsWith("TokenBroker:Secrets:", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(key);
        }

        settings["TokenBroker:KeyVaultUri"] = vault.Uri.AbsoluteUri;
        settings["TokenBroker:Host:ApiKey"] = FunctionKey;
        settings["AzureWebJobsStorage"] = Storage.ConnectionString;
        settings["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production";

        // host.json keeps a failed queue message invisible for 30 s; an app setting overrides it as it would in Azure.
        settings["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00";
        foreach (var (key, value) in vault.ChildProcessEnvironment())
        {
            settings[key] = value;
        }

        return settings;
    }

    private async Task StartSharedHostsAsync()
    {
        await _hostsStarting.WaitAsync();
        try
        {
            if (_worker is not null)
            {
                return;
            }

            Sink.AddSensitive(FunctionKey);
            _vault ??= await KeyVaultEndpoint.StartAsync();
            _vault.SetSecret("demo-secret", AuthorizationServer.ClientSecret);
            _vault.SetSecret("other-secret", AuthorizationServer.OtherClientSecret);
            _vault.SetSecret("token-cache-key", CacheEncryptionKey);
            var settings = ProductionSettings(_vault);
            WorkerSettings = settings;
            var standalone = new Dictionary<string, string?>(settings) { ["TokenBroker:TokenCache:TableName"] = NewTableName() };
            var vault = _vault;
            _standalone = await BrokerInstance.StartAsync(
                this,
                standalone,
                services =>
                {
                    // In process, the vault's certificate is trusted by a pinned transport rather than SSL_CERT_FILE.
                    services.AddSingleton(vault.CreateSecretClient());
                    services.AddSingleton(vault.CreateCertificateClient());
                },
                environment: "Production");
            _worker = await FunctionsHost.FunctionsHost.StartAsync(settings, Sink, FunctionKey);
        }
        finally
        {
            _hostsStarting.Release();
        }
    }

    private async Task DisposeWorkerAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        if (_standalone is not null)
        {
            await _standalone.DisposeAsync();
        }

        if (_vault is not null)
        {
            foreach (var token in _vault.IssuedTokens)
            {
                Sink.AddSensitive(token);
            }

            await _vault.DisposeAsync();
        }

        _hostsStarting.Dispose();
    }
}
