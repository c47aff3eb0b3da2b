using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Graph;
using Microsoft.Graph.Applications.Item.AddPassword;
using Microsoft.Graph.Applications.Item.RemovePassword;
using Microsoft.Graph.Authentication;
using Microsoft.Graph.Models;
using TokenBroker.IntegrationTests.Infrastructure.Faults;
using TokenBroker.IntegrationTests.Infrastructure.Graph;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;
using TokenBroker.Lifecycle;
using TokenBroker.Lifecycle.Inventory;
using TokenBroker.Refresh;
using TokenBroker.Tests.Support;

namespace TokenBroker.IntegrationTests.Lifecycle.Inventory;

/// <summary>
/// The credential expiry inventory end to end: a real broker host over HTTP, the real <c>SecretClient</c> against the
/// Key Vault test endpoint, the real Graph SDK against the development server's Graph endpoint (each fixture's dates set
/// through Graph's own addPassword), the inventory stored in Azurite, and the gauges read with a <see cref="MeterListener"/>.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class CredentialInventoryTests(IntegrationFixture fixture) : IAsyncLifetime
{
    // One app registration per fixture, so each connection's Graph side holds only its own credentials.
    private static readonly string[] Apps = ["inv-5d", "inv-20d", "inv-45d", "inv-noexp", "inv-disagree", "inv-expired", "inv-orphan-auth", "inv-orphan-vault", "inv-cert"];

    // Connections whose credential is a Key Vault certificate (private_key_jwt) rather than a secret.
    private static readonly HashSet<string> CertificateApps = ["inv-cert"];

    private readonly GraphReadCounter _graphReads = new();
    private EntraDirectory _directory = null!;
    private KeyVaultEndpoint _vault = null!;
    private GraphServiceClient _graph = null!;

    public async Task InitializeAsync()
    {
        _directory = await EntraDirectory.StartAsync(propagationDelay: TimeSpan.Zero, ownedApps: Apps);
        _vault = await KeyVaultEndpoint.StartAsync();
        _graph = _directory.CreateGraphClient();
    }

    public async Task DisposeAsync()
    {
        foreach (var token in _directory.Credential.IssuedTokens.Concat(_vault.IssuedTokens))
        {
            fixture.Sink.AddSensitive(token);
        }

        fixture.Sink.AssertNoLeak();
        await _vault.DisposeAsync();
        await _directory.DisposeAsync();
    }

    [Fact]
    public async Task Six_fixture_connections_and_two_orphans_show_exactly_their_states_in_the_listing_and_the_gauges()
    {
        var now = DateTimeOffset.UtcNow;
        await SecretFixtureAsync("inv-5d", now.AddDays(5), now.AddDays(5));
        await SecretFixtureAsync("inv-20d", now.AddDays(20), now.AddDays(20));
        await SecretFixtureAsync("inv-45d", now.AddDays(45), now.AddDays(45));
        await SecretFixtureAsync("inv-noexp", graphEnd: now.AddDays(180), vaultExpiry: null);
        await SecretFixtureAsync("inv-disagree", graphEnd: now.AddDays(100), vaultExpiry: now.AddDays(120));
        await SecretFixtureAsync("inv-expired", now.AddDays(-1), now.AddDays(-1), graphStart: now.AddDays(-181));

        // A certificate connection: the vault's certificate and the app's key credential correspond by thumbprint.
        await CertificateFixtureAsync("inv-cert", now.AddDays(20));

        // At the authorization server, a second secret no vault version holds.
        await SecretFixtureAsync("inv-orphan-auth", now.AddDays(100), now.AddDays(100));
        await AddGraphSecretAsync("inv-orphan-auth", now.AddDays(-1), now.AddDays(200));

        // In the vault, an older broker-written version whose Graph secret was removed by hand.
        var (goneKey, goneValue) = await AddGraphSecretAsync("inv-orphan-vault", now.AddDays(-20), now.AddDays(60));
        _vault.SetSecret("inv-orphan-vault", goneValue, Tagged(goneKey, now.AddDays(60), createdOn: now.AddDays(-20)));
        await RemoveGraphSecretAsync("inv-orphan-vault", goneKey);
        await SecretFixtureAsync("inv-orphan-vault", now.AddDays(100), now.AddDays(100));

        // The broker's identity does not own this one: Graph answers 403.
        var foreignValue = "inv-foreign-" + Guid.NewGuid().ToString("N");
        fixture.Sink.AddSensitive(foreignValue);
        _vault.SetSecret("inv-forbidden", foreignValue, Tagged(Guid.NewGuid(), now.AddDays(100)));

        var settings = Settings([.. Apps, "inv-forbidden"]);
        settings["TokenBroker:Connections:inv-forbidden:ClientId"] = EntraDirectory.ForeignApp;
        await using var broker = await StartBrokerAsync(settings);
        using var gauges = new GaugeReader(broker.Services.GetRequiredService<IMeterFactory>());

        await broker.Services.GetRequiredService<TokenRefreshJob>().RunAsync(isPastDue: false, CancellationToken.None);
        var listing = await ListAsync(broker);

        Dictionary<string, string[]> expected = new()
        {
            ["inv-5d"] = [CredentialFlags.ExpiringCritical],
            ["inv-20d"] = [CredentialFlags.ExpiringWarning],
            ["inv-45d"] = [],
            ["inv-noexp"] = [CredentialFlags.NoVaultExpiry],
            ["inv-disagree"] = [CredentialFlags.DatesDisagree],
            ["inv-expired"] = [CredentialFlags.Expired],
            ["inv-orphan-auth"] = [CredentialFlags.OrphanAtAuthorizationServer],
            ["inv-orphan-vault"] = [CredentialFlags.OrphanInVault],
            ["inv-forbidden"] = [CredentialFlags.DirectoryUnreadable],
            ["inv-cert"] = [CredentialFlags.ExpiringWarning],
        };
        foreach (var (name, flags) in expected)
        {
            var credential = listing[name].GetProperty("credential");
            Assert.Equal(flags, credential.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!).ToArray());
            Assert.Equal("key_vault", credential.GetProperty("source").GetString());
            Assert.True(credential.TryGetProperty("taken_at", out _));
            Assert.False(credential.TryGetProperty("hint", out _));
        }

        AssertSecondsLeft(listing["inv-5d"], TimeSpan.FromDays(5));
        AssertSecondsLeft(listing["inv-20d"], TimeSpan.FromDays(20));
        AssertSecondsLeft(listing["inv-45d"], TimeSpan.FromDays(45));
        AssertSecondsLeft(listing["inv-noexp"], TimeSpan.FromDays(180));
        AssertSecondsLeft(listing["inv-disagree"], TimeSpan.FromDays(100));
        AssertSecondsLeft(listing["inv-expired"], TimeSpan.FromDays(-1));
        Assert.Equal("forbidden", listing["inv-forbidden"].GetProperty("credential").GetProperty("directory_problem").GetString());
        AssertSecondsLeft(listing["inv-forbidden"], TimeSpan.FromDays(100));
        AssertSecondsLeft(listing["inv-cert"], TimeSpan.FromDays(20));
        var certificate = listing["inv-cert"].GetProperty("credential");
        Assert.Equal("certificate", certificate.GetProperty("kind").GetString());
        var registered = Assert.Single(certificate.GetProperty("directory_credentials").EnumerateArray());
        Assert.Equal("certificate", registered.GetProperty("kind").GetString());
        Assert.Equal(2, listing["inv-orphan-auth"].GetProperty("credential").GetProperty("directory_credentials").EnumerateArray().Count(c => c.GetProperty("kind").GetString() == "secret"));

        // The gauges say the same, from the stored inventory.
        var (expiresIn, problems) = gauges.Read();
        Assert.Equal(
            expected.SelectMany(e => e.Value.Select(f => (e.Key, f))).OrderBy(p => p).ToList(),
            problems.Where(p => expected.ContainsKey(p.Connection)).OrderBy(p => p).ToList());
        Assert.InRange(expiresIn["inv-5d"], TimeSpan.FromDays(5).TotalSeconds - 3600, TimeSpan.FromDays(5).TotalSeconds);
        Assert.InRange(expiresIn["inv-expired"], -TimeSpan.FromDays(1).TotalSeconds - 3600, -TimeSpan.FromDays(1).TotalSeconds);
        Assert.Equal(expected.Keys.Order(), expiresIn.Keys.Where(expected.ContainsKey).Order());

        // Every member the listing sends is documented in docs/openapi.json, and every flag is in its enum.
        AssertDocumented(listing.Values);
    }

    [Fact]
    public async Task Key_vault_refusing_connections_flags_vault_unreadable_and_the_refresh_run_still_succeeds()
    {
        var now = DateTimeOffset.UtcNow;
        await SecretFixtureAsync("inv-45d", now.AddDays(45), now.AddDays(45));
        await using var broker = await StartBrokerAsync(Settings(["inv-45d"]));
        await _vault.SetFaultAsync(Fault.Refused);

        var report = await broker.Services.GetRequiredService<TokenRefreshJob>().RunAsync(isPastDue: false, CancellationToken.None);
        var listing = await ListAsync(broker);

        Assert.Equal(0, report.Failed);
        var credential = listing["inv-45d"].GetProperty("credential");
        Assert.Equal([CredentialFlags.VaultUnreadable], credential.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!).ToArray());
        Assert.Equal("unavailable", credential.GetProperty("vault_problem").GetString());

        // Graph was still read: one source down leaves the other's facts.
        Assert.Single(credential.GetProperty("directory_credentials").EnumerateArray(), c => c.GetProperty("kind").GetString() == "secret");
        await _vault.SetFaultAsync(null);
    }

    [Fact]
    public async Task Three_instances_take_the_inventory_once_per_interval_with_one_graph_read_per_connection()
    {
        var now = DateTimeOffset.UtcNow;
        string[] connections = ["inv-5d", "inv-20d", "inv-45d"];
        foreach (var name in connections)
        {
            await SecretFixtureAsync(name, now.AddDays(40), now.AddDays(40));
        }

        var settings = Settings(connections);
        var time = new FakeTimeProvider(now);
        await using var first = await StartBrokerAsync(settings, time);
        await using var second = await StartBrokerAsync(settings, time);
        await using var third = await StartBrokerAsync(settings, time);
        BrokerInstance[] hosts = [first, second, third];

        await Task.WhenAll(hosts.Select(h => h.Services.GetRequiredService<TokenRefreshJob>().RunAsync(isPastDue: false, CancellationToken.None)));
        await Task.WhenAll(hosts.Select(h => h.Services.GetRequiredService<TokenRefreshJob>().RunAsync(isPastDue: false, CancellationToken.None)));
        var withinInterval = _graphReads.Count;
        time.Advance(new InventoryOptions().Interval);
        await Task.WhenAll(hosts.Select(h => h.Services.GetRequiredService<TokenRefreshJob>().RunAsync(isPastDue: false, CancellationToken.None)));
        var afterInterval = _graphReads.Count;

        Assert.Equal(connections.Length, withinInterval);
        Assert.Equal(2 * connections.Length, afterInterval);

        // Every instance answers from the table, including the two that did not take it.
        foreach (var host in hosts)
        {
            var listing = await ListAsync(host);
            Assert.All(connections, name => Assert.Equal(time.GetUtcNow(), listing[name].GetProperty("credential").GetProperty("taken_at").GetDateTimeOffset()));
        }
    }

    private static void AssertSecondsLeft(JsonElement connection, TimeSpan expected)
    {
        var left = connection.GetProperty("credential").GetProperty("seconds_left").GetInt64();

        // The fixtures were made moments before the listing: within an hour of the expected, never beyond it.
        Assert.InRange(left, (long)(expected - TimeSpan.FromHours(1)).TotalSeconds, (long)expected.TotalSeconds);
    }

    private static void AssertDocumented(IEnumerable<JsonElement> connections)
    {
        var schemas = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "openapi.json"))).RootElement.GetProperty("components").GetProperty("schemas");
        var documented = schemas.GetProperty("CredentialStatus").GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
        var flags = schemas.GetProperty("CredentialFlag").GetProperty("enum").EnumerateArray().Select(f => f.GetString()!).ToHashSet();
        Assert.True(schemas.GetProperty("ConnectionStatus").GetProperty("properties").TryGetProperty("credential", out _));
        Assert.Equal(CredentialFlags.All.ToHashSet(), flags);
        foreach (var credential in connections.Select(c => c.GetProperty("credential")))
        {
            Assert.All(credential.EnumerateObject(), member => Assert.Contains(member.Name, documented));
        }
    }

    private async Task<BrokerInstance> StartBrokerAsync(Dictionary<string, string?> settings, TimeProvider? time = null) =>
        await fixture.StartBrokerAsync(settings, services =>
        {
            _vault.AddTo(services);
            if (time is not null)
            {
                services.AddSingleton(time);
            }

            // The broker's identity at the development server, through a Graph client whose requests are counted.
            services.AddSingleton(sp => new AppRegistrationClient(
                new GraphServiceClient(
                    new HttpClient(_graphReads.CreateHandler()),
                    new AzureIdentityAuthenticationProvider(_directory.Credential, [_directory.BaseUri.Host], null, true, EntraDirectory.GraphScope),
                    _directory.GraphBaseUrl.AbsoluteUri),
                new GraphProof(sp.GetRequiredService<TimeProvider>()),
                sp.GetRequiredService<ILogger<AppRegistrationClient>>()));
        });

    private Dictionary<string, string?> Settings(IEnumerable<string> connections)
    {
        var settings = _vault.Adopt(fixture.BrokerSettings());
        settings["TokenBroker:Refresh:Enabled"] = "false";
        foreach (var name in connections)
        {
            settings[$"TokenBroker:Connections:{name}:TokenEndpoint"] = _directory.TokenEndpoint.AbsoluteUri;
            settings[$"TokenBroker:Connections:{name}:ClientId"] = name;
            if (CertificateApps.Contains(name))
            {
                settings[$"TokenBroker:Connections:{name}:AuthMethod"] = "private_key_jwt";
                settings[$"TokenBroker:Connections:{name}:CertificateName"] = name;
            }
            else
            {
                settings[$"TokenBroker:Connections:{name}:SecretName"] = name;
            }

            settings[$"TokenBroker:Connections:{name}:Scopes"] = "api.read";
            settings[$"TokenBroker:Connections:{name}:Lifecycle:Directory"] = "EntraId";
        }

        return settings;
    }

    private static async Task<Dictionary<string, JsonElement>> ListAsync(BrokerInstance broker)
    {
        using var response = await broker.Client.GetAsync("/api/ops/connections");
        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    }

    // A connection's credential made as the broker's rotation makes one: addPassword with the dates, then the value
    // stored as a vault version tagged with the Graph keyId.
    private async Task SecretFixtureAsync(string app, DateTimeOffset graphEnd, DateTimeOffset? vaultExpiry, DateTimeOffset? graphStart = null)
    {
        var (keyId, value) = await AddGraphSecretAsync(app, graphStart ?? DateTimeOffset.UtcNow.AddDays(-1), graphEnd);
        _vault.SetSecret(app, value, Tagged(keyId, vaultExpiry));
    }

    // A certificate connection as it stands after a renewal registered at Entra: a new certificate added to the app with
    // addKey (the proof signed with the certificate the app holds), the old one removed with removeKey (proof from the new
    // one), and the new one in the vault. Key Vault dates a certificate version by the certificate's own validity.
    private async Task CertificateFixtureAsync(string app, DateTimeOffset notAfter)
    {
        using var certificate = TestCertificates.Create(app + "-v2", DateTimeOffset.UtcNow.AddDays(-1), notAfter);
        var applications = new AppRegistrationClient(_graph, new GraphProof(TimeProvider.System), NullLogger<AppRegistrationClient>.Instance);
        var application = await applications.GetAsync(app, CancellationToken.None);
        var old = Assert.Single(application.Keys);
        await applications.AddKeyAsync(application, certificate, _directory.ManagedAppCertificate, $"fixture {app}", CancellationToken.None);
        await applications.RemoveKeyAsync(application, old.KeyId, certificate, CancellationToken.None);
        _vault.SetCertificate(app, certificate, new KeyVaultAttributes(NotBefore: certificate.NotBefore, ExpiresOn: certificate.NotAfter));
    }

    private static KeyVaultAttributes Tagged(Guid keyId, DateTimeOffset? expires, DateTimeOffset? createdOn = null) =>
        new(ExpiresOn: expires, CreatedOn: createdOn, Tags: new Dictionary<string, string> { [VaultTags.GraphKeyId] = keyId.ToString() });

    private async Task<(Guid KeyId, string Value)> AddGraphSecretAsync(string app, DateTimeOffset start, DateTimeOffset end)
    {
        var application = await _graph.ApplicationsWithAppId(app).GetAsync();
        var added = await _graph.Applications[application!.Id].AddPassword.PostAsync(new AddPasswordPostRequestBody
        {
            PasswordCredential = new PasswordCredential { DisplayName = $"fixture {app}", StartDateTime = start, EndDateTime = end },
        });
        fixture.Sink.AddSensitive(added!.SecretText);
        return (added.KeyId!.Value, added.SecretText!);
    }

    private async Task RemoveGraphSecretAsync(string app, Guid keyId)
    {
        var application = await _graph.ApplicationsWithAppId(app).GetAsync();
        await _graph.Applications[application!.Id].RemovePassword.PostAsync(new RemovePasswordPostRequestBody { KeyId = keyId });
    }

    /// <summary>Counts the broker's Graph reads of an application (GET), across every instance that shares it.</summary>
    private sealed class GraphReadCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public DelegatingHandler CreateHandler() => new Counting(this) { InnerHandler = new HttpClientHandler() };

        private sealed class Counting(GraphReadCounter counter) : DelegatingHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.Contains("/applications", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref counter._count);
                }

                return base.SendAsync(request, cancellationToken);
            }
        }
    }

    /// <summary>Reads the inventory gauges of one broker (its meter factory's meters only).</summary>
    private sealed class GaugeReader : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, double> _expiresIn = new(StringComparer.Ordinal);
        private readonly List<(string Connection, string Flag)> _problems = [];

        public GaugeReader(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name.StartsWith("tokenbroker.credential.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _expiresIn[Tag(tags, "connection")] = value);
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _problems.Add((Tag(tags, "connection"), Tag(tags, "flag"))));
            _listener.Start();
        }

        public (Dictionary<string, double> ExpiresIn, List<(string Connection, string Flag)> Problems) Read()
        {
            _expiresIn.Clear();
            _problems.Clear();
            _listener.RecordObservableInstruments();
            return (new(_expiresIn), [.. _problems]);
        }

        public void Dispose() => _listener.Dispose();

        private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == name)
                {
                    return tag.Value as string ?? string.Empty;
                }
            }

            return string.Empty;
        }
    }
}
