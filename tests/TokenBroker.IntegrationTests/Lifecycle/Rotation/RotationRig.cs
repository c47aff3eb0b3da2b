using System.Net;
using System.Security.Cryptography.X509Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TokenBroker.IntegrationTests.Infrastructure.Graph;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;
using TokenBroker.Lifecycle;
using TokenBroker.Lifecycle.Rotation;
using TokenBroker.Tests.Support;

namespace TokenBroker.IntegrationTests.Lifecycle.Rotation;

/// <summary>
/// Three brokers with their refresh schedulers on (every 500 ms, one lease holder at a time), one vault, one directory
/// whose clock runs at real speed, and the connections of <see cref="RotatingConnection"/>, each due for
/// rotation. Instances can be stopped and replaced while callers keep asking the live ones.
/// </summary>
internal sealed class RotationRig : IAsyncDisposable
{
    private const int Instances = 3;

    private readonly IntegrationFixture _fixture;
    private readonly IReadOnlyList<RotatingConnection> _connections;
    private readonly Dictionary<string, string> _oldVersions;
    private readonly Dictionary<string, string?> _settings;
    private readonly ServerClock _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, X509Certificate2> _renewed = new(StringComparer.Ordinal);
    private List<LiveBroker> _live = [];
    private bool _halt;

    private RotationRig(IntegrationFixture fixture, IReadOnlyList<RotatingConnection> connections, EntraDirectory directory, KeyVaultEndpoint vault, Dictionary<string, string> oldVersions, Dictionary<string, string?> settings)
    {
        _fixture = fixture;
        _connections = connections;
        Directory = directory;
        Vault = vault;
        _oldVersions = oldVersions;
        _settings = settings;
        _clock = new ServerClock(directory.Time);
    }

    public EntraDirectory Directory { get; }

    public KeyVaultEndpoint Vault { get; }

    public IReadOnlyList<RotatingConnection> Connections => _connections;

    /// <summary>Starts the rig; with <paramref name="haltAfterEachStep"/>, each broker's runner halts after a step (<see cref="StepLog"/>) until the rig replaces it.</summary>
    public static async Task<RotationRig> StartAsync(IntegrationFixture fixture, IReadOnlyList<RotatingConnection> connections, bool haltAfterEachStep = false)
    {
        var secretApps = connections.Where(c => c.Kind == RotatingKind.Secret).Select(c => c.AppId).ToList();
        var certificateApps = connections.Where(c => c.Kind == RotatingKind.Certificate).Select(c => c.AppId).ToList();
        var directory = await EntraDirectory.StartAsync(TimeSpan.FromSeconds(30), ownedApps: certificateApps, ownedSecretApps: secretApps);
        var vault = await KeyVaultEndpoint.StartAsync();
        fixture.Sink.AddSensitive(EntraDirectory.BrokerIdentitySecret);
        var settings = vault.Adopt(fixture.BrokerSettings());
        settings["TokenBroker:Lifecycle:Graph:BaseUrl"] = directory.GraphBaseUrl.AbsoluteUri;
        settings["TokenBroker:Lifecycle:Rotation:RetryInterval"] = "00:00:00.500";
        settings["TokenBroker:Lifecycle:Rotation:MaxRetryInterval"] = "00:00:01";
        settings["TokenBroker:Lifecycle:Rotation:DueCheckInterval"] = "00:00:01";
        settings["TokenBroker:Refresh:Schedule"] = "00:00:00.500";

        // Due: every credential expires in 10 days, inside the default RenewBefore of 30 days.
        var due = KeyVaultAttributes.Default with { ExpiresOn = DateTimeOffset.UtcNow.AddDays(10) };
        var oldVersions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var connection in connections)
        {
            var prefix = $"TokenBroker:Connections:{connection.Name}:";
            settings[prefix + "TokenEndpoint"] = directory.TokenEndpoint.AbsoluteUri;
            settings[prefix + "ClientId"] = connection.AppId;
            settings[prefix + "Scopes"] = "api.read";
            settings[prefix + "Lifecycle:Directory"] = "EntraId";
            settings[prefix + "Lifecycle:Rotation"] = "Automatic";
            settings[prefix + "Lifecycle:Grace"] = "00:00:03";
            if (connection.Kind == RotatingKind.Certificate)
            {
                // The certificate the application holds; rotation becomes due when Key Vault renews it (RenewCertificates).
                settings[prefix + "AuthMethod"] = "private_key_jwt";
                settings[prefix + "CertificateName"] = connection.VaultName;
                settings[prefix + "AssertionAudience"] = directory.BaseUri.AbsoluteUri;
                oldVersions[connection.Name] = vault.SetCertificate(connection.VaultName, directory.ManagedAppCertificate);
                continue;
            }

            var initial = EntraDirectory.InitialSecretOf(connection.AppId);
            fixture.Sink.AddSensitive(initial);
            settings[prefix + "SecretName"] = connection.VaultName;
            settings[prefix + "AuthMethod"] = "client_secret_post";
            oldVersions[connection.Name] = vault.SetSecret(connection.VaultName, initial, due);
        }

        var rig = new RotationRig(fixture, connections, directory, vault, oldVersions, settings) { _halt = haltAfterEachStep };
        var started = await Task.WhenAll(Enumerable.Range(0, Instances).Select(_ => rig.StartBrokerAsync()));
        rig._live = [.. started];
        return rig;
    }

    /// <summary>
    /// What Key Vault's renewal policy does before a certificate expires: a new version of each certificate connection's
    /// certificate, with a new key. Its rotation is due from then on (a latest version the application does not hold).
    /// </summary>
    public void RenewCertificates()
    {
        foreach (var connection in _connections.Where(c => c.Kind == RotatingKind.Certificate))
        {
            var renewed = TestCertificates.Create(connection.Name + "-v2");
            _renewed[connection.Name] = renewed;
            Vault.SetCertificate(connection.VaultName, renewed);
        }
    }

    /// <summary>Callers asking the live instances, in turn, for tokens of every connection until stopped.</summary>
    public CallerLoad StartLoad() => new(this, _fixture.Sink, _connections.Select(c => c.Name).ToList());

    /// <summary>Picks a live instance for one request; the caller must <see cref="Release"/> it.</summary>
    public LiveBroker Pick(int turn)
    {
        lock (_gate)
        {
            var broker = _live[turn % _live.Count];
            broker.InFlight++;
            return broker;
        }
    }

    public void Release(LiveBroker broker)
    {
        lock (_gate)
        {
            broker.InFlight--;
        }
    }

    /// <summary>Every rotation row, read through a live instance's store.</summary>
    public Task<Dictionary<string, RotationRecord>> RowsAsync()
    {
        LiveBroker any;
        lock (_gate)
        {
            any = _live[0];
        }

        return any.Instance.Services.GetRequiredService<RotationStore>().ListAsync(CancellationToken.None);
    }

    public async Task<bool> AllDoneAsync()
    {
        var rows = await RowsAsync();
        return _connections.All(c => rows.TryGetValue(c.Name, out var row) && row.State == RotationState.Done);
    }

    public async Task<string> DescribeAsync() =>
        string.Join(", ", (await RowsAsync()).Select(r => $"{r.Key} {r.Value.State} {r.Value.LastError}"));

    public async Task WaitUntilAllDoneAsync(TimeSpan timeout)
    {
        var until = DateTimeOffset.UtcNow + timeout;
        while (!await AllDoneAsync())
        {
            Assert.True(DateTimeOffset.UtcNow < until, $"rotations not done after {timeout}: {await DescribeAsync()}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Stops every live instance halted after a rotation step (taken out of the callers' rotation first, then disposed
    /// once its requests in flight have finished, as a load balancer drains an instance), and starts a new one in its
    /// place. Returns the steps each stopped instance completed.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<string>>> ReplaceHaltedInstancesAsync()
    {
        List<LiveBroker> stepped;
        lock (_gate)
        {
            stepped = [.. _live.Where(b => b.Steps.Halted)];
            _live = [.. _live.Except(stepped)];
        }

        foreach (var broker in stepped)
        {
            while (InFlight(broker) > 0)
            {
                await Task.Delay(5);
            }

            await broker.Instance.DisposeAsync();
            var replacement = await StartBrokerAsync();
            lock (_gate)
            {
                _live = [.. _live, replacement];
            }
        }

        return [.. stepped.Select(b => b.Steps.Steps)];
    }

    /// <summary>
    /// Each connection: its rotation done (planned because it was due), exactly one credential at the authorization server
    /// (the new one, named after the rotation) and one enabled Key Vault version holding it, the old one removed at the
    /// server and disabled in the vault, the new one accepted and the old one refused.
    /// </summary>
    public async Task AssertExactlyOneNewCredentialEachAsync()
    {
        var rows = await RowsAsync();
        var secrets = Vault.CreateSecretClient();
        using var graph = Directory.CreateGraphClient();
        var applications = new AppRegistrationClient(graph, new GraphProof(TimeProvider.System), NullLogger<AppRegistrationClient>.Instance);
        foreach (var connection in _connections)
        {
            var row = rows[connection.Name];
            Assert.Equal(RotationState.Done, row.State);
            Assert.Equal("due", row.Reason);
            var application = await applications.GetAsync(connection.AppId, CancellationToken.None);
            if (connection.Kind == RotatingKind.Certificate)
            {
                await AssertOneNewCertificateAsync(connection, row, application);
            }
            else
            {
                await AssertOneNewSecretAsync(connection, row, application, secrets);
            }
        }
    }

    private async Task AssertOneNewSecretAsync(RotatingConnection connection, RotationRecord row, AppRegistration application, SecretClient client)
    {
        var versions = new List<SecretProperties>();
        await foreach (var version in client.GetPropertiesOfSecretVersionsAsync(connection.VaultName))
        {
            versions.Add(version);
        }

        var oldVersion = _oldVersions[connection.Name];
        Assert.Equal(2, versions.Count);
        Assert.False(versions.Single(v => v.Version == oldVersion).Enabled);
        var stored = versions.Single(v => v.Version != oldVersion);
        Assert.True(stored.Enabled);
        Assert.Equal(row.NewVaultVersion, stored.Version);
        Assert.Equal(row.RotationId, stored.Tags[VaultTags.Rotation]);
        Assert.Equal(row.NewKeyId.ToString(), stored.Tags[VaultTags.GraphKeyId]);
        var value = (await client.GetSecretAsync(connection.VaultName, stored.Version)).Value.Value;
        _fixture.Sink.AddSensitive(value);

        var secret = Assert.Single(application.Secrets);
        Assert.Equal(row.NewKeyId, secret.KeyId);
        Assert.Equal(row.DisplayName, secret.DisplayName);
        Assert.Empty(application.Keys);
        Assert.Equal(HttpStatusCode.OK, (await Directory.RequestTokenAsync(connection.AppId, value)).Status);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), await Directory.RequestTokenAsync(connection.AppId, EntraDirectory.InitialSecretOf(connection.AppId)));
    }

    // Key Vault made the new version (the broker has no certificate write right, so nothing else is there and the old
    // version stays enabled); the application holds the renewed certificate only.
    private async Task AssertOneNewCertificateAsync(RotatingConnection connection, RotationRecord row, AppRegistration application)
    {
        var renewed = _renewed[connection.Name];
        var versions = new List<string>();
        await foreach (var version in Vault.CreateCertificateClient().GetPropertiesOfCertificateVersionsAsync(connection.VaultName))
        {
            versions.Add(version.Version);
        }

        // Key Vault keeps each version's private key in the secret of the same name: values that must never be logged.
        var secrets = Vault.CreateSecretClient();
        await foreach (var version in secrets.GetPropertiesOfSecretVersionsAsync(connection.VaultName))
        {
            _fixture.Sink.AddSensitive((await secrets.GetSecretAsync(connection.VaultName, version.Version)).Value.Value);
        }

        Assert.Equal(2, versions.Count);
        Assert.Contains(_oldVersions[connection.Name], versions);
        Assert.Contains(row.NewVaultVersion, versions);
        Assert.NotEqual(_oldVersions[connection.Name], row.NewVaultVersion);

        var key = Assert.Single(application.Keys);
        Assert.Equal(row.NewKeyId, key.KeyId);
        Assert.Equal(renewed.Thumbprint, key.Thumbprint, ignoreCase: true);
        Assert.Empty(application.Secrets);
        Assert.Equal(HttpStatusCode.OK, (await Directory.RequestTokenWithAssertionAsync(connection.AppId, renewed)).Status);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), await Directory.RequestTokenWithAssertionAsync(connection.AppId, Directory.ManagedAppCertificate));
    }

    public async ValueTask DisposeAsync()
    {
        await _clock.DisposeAsync();
        foreach (var broker in _live)
        {
            await broker.Instance.DisposeAsync();
        }

        foreach (var token in Directory.Credential.IssuedTokens.Concat(Vault.IssuedTokens))
        {
            _fixture.Sink.AddSensitive(token);
        }

        await Vault.DisposeAsync();
        await Directory.DisposeAsync();
        foreach (var certificate in _renewed.Values)
        {
            certificate.Dispose();
        }
    }

    private int InFlight(LiveBroker broker)
    {
        lock (_gate)
        {
            return broker.InFlight;
        }
    }

    private async Task<LiveBroker> StartBrokerAsync()
    {
        var steps = new StepLog(_halt);
        var instance = await BrokerInstance.StartAsync(_fixture, _settings, services =>
        {
            Vault.AddTo(services);
            services.AddSingleton(sp => new AppRegistrationClient(Directory.CreateGraphClient(), new GraphProof(TimeProvider.System), sp.GetRequiredService<ILogger<AppRegistrationClient>>()));
            services.AddSingleton<ILoggerProvider>(steps);
        });
        instance.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(steps.Stopping);
        return new LiveBroker(instance, steps);
    }
}

/// <summary>A broker of the rig, what rotation steps it logged, and the callers' requests it is serving now.</summary>
internal sealed class LiveBroker(BrokerInstance instance, StepLog steps)
{
    /// <summary>Requests being sent to it; read and written under the rig's lock.</summary>
    public int InFlight { get; set; }

    public BrokerInstance Instance { get; } = instance;

    public StepLog Steps { get; } = steps;
}
