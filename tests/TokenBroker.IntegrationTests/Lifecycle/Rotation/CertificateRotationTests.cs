using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Acquisition;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.IntegrationTests.Infrastructure.Graph;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;
using TokenBroker.Lifecycle;
using TokenBroker.Lifecycle.Rotation;
using TokenBroker.Refresh;
using TokenBroker.Tests.Support;

namespace TokenBroker.IntegrationTests.Lifecycle.Rotation;

/// <summary>
/// Automatic rotation of an Entra ID certificate (<c>private_key_jwt</c>) with real parts: Key Vault's renewal is a new
/// certificate version in the Key Vault test endpoint (real CertificateClient and SecretClient), the development server's
/// Graph endpoint checks addKey/removeKey proofs and delays a new key's use (real Graph SDK), Azurite holds the row, and
/// brokers run on loopback. A runner stopped between any two steps, or after a step's effect but before its table write,
/// is resumed by another broker, with exactly one new key at the application and the old one removed at the end.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class CertificateRotationTests(IntegrationFixture fixture)
{
    private const string Connection = "signing";
    private const string CertificateName = "signing-cert";
    private const string AdminKey = "certificate-rotation-admin-key-5a1f9c";

    // Steps after planning (which records the facts): 1 addKey, 2 probe, 3 promotion, 4 removeKey after the grace.
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(1, true)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public async Task A_certificate_rotation_stopped_after_any_step_completes_on_another_instance_with_exactly_one_new_key(int stepsOnFirst, bool lastWriteLost)
    {
        await using var directory = await EntraDirectory.StartAsync();
        await using var vault = await KeyVaultEndpoint.StartAsync();
        using var renewed = TestCertificates.Create("rotating-app-v2");
        var (oldVersion, newVersion) = await RenewedVaultAsync(directory, vault, renewed);
        var settings = Settings(directory, vault);

        RotationRecord row;
        await using (var first = await StartAsync(settings, directory, vault))
        {
            Assert.Equal(200, (await first.RequestTokenAsync(Connection)).Status);
            var traffic = new Infrastructure.TableTrafficControl();
            var rotation = RotationRunners.Over(first, new RotationStore(traffic.Client(fixture.Storage.ConnectionString, settings["TokenBroker:TokenCache:TableName"]!)));
            var connection = Target(first);
            var (outcome, plannedRow) = await first.Services.GetRequiredService<RotationRunner>().PlanNowAsync(Connection, CancellationToken.None);
            Assert.Equal(PlanOutcome.Planned, outcome);
            row = plannedRow!;
            Assert.Equal((oldVersion, newVersion), (row.OldVaultVersion, row.NewVaultVersion));
            Assert.Equal(Convert.ToHexString(renewed.GetCertHash()), row.NewThumbprint);
            var completed = 0;
            for (var i = 0; i < 40 && completed < stepsOnFirst - (lastWriteLost ? 1 : 0); i++)
            {
                var next = await StepAsync(directory, rotation, connection, row);
                completed += next.State != row.State ? 1 : 0;
                row = next;
            }

            Assert.True(completed == stepsOnFirst - (lastWriteLost ? 1 : 0), $"stuck in {row.State}: {row.LastError}");

            if (lastWriteLost)
            {
                // The step's effect happens (Graph, the generation stamp), then the table refuses connections: its write is lost.
                traffic.Down = true;
                await Assert.ThrowsAnyAsync<Exception>(() => StepAsync(directory, rotation, connection, row));
            }
        }

        await using var second = await StartAsync(settings, directory, vault);
        var resumed = second.Services.GetRequiredService<RotationRunner>().Rotation;
        var target = Target(second);
        row = (await second.Services.GetRequiredService<RotationStore>().GetAsync(Connection, CancellationToken.None))!;
        for (var i = 0; i < 40 && row.IsActive; i++)
        {
            row = await StepAsync(directory, resumed, target, row);
        }

        await AssertExactlyOneNewKeyAsync(directory, vault, row, renewed, oldVersion);
        Assert.Equal(200, (await second.RequestTokenAsync(Connection)).Status);
    }

    [Fact]
    public async Task A_renewed_certificate_is_rotated_by_the_refresh_run_with_no_refused_caller_request_and_callers_served_throughout()
    {
        await using var directory = await EntraDirectory.StartAsync();
        await using var vault = await KeyVaultEndpoint.StartAsync();
        using var renewed = TestCertificates.Create("rotating-app-v2");
        var oldVersion = vault.SetCertificate(CertificateName, directory.ManagedAppCertificate);
        AddKeyMaterialToSink(vault, directory.ManagedAppCertificate);
        var settings = Settings(directory, vault);

        // A short certificate cache, so the instance re-reads Key Vault (and the row) many times during the rotation; a
        // grace long enough that no request signed with the old key just before the promotion meets its removal.
        settings["TokenBroker:SecretCacheDuration"] = "00:00:00.200";
        settings[$"TokenBroker:Connections:{Connection}:Lifecycle:Grace"] = "00:00:01";
        await using var broker = await StartAsync(settings, directory, vault);
        var job = broker.Services.GetRequiredService<TokenRefreshJob>();
        var store = broker.Services.GetRequiredService<RotationStore>();
        var service = broker.Services.GetRequiredService<TokenBrokerService>();
        Assert.Equal(200, (await broker.RequestTokenAsync(Connection)).Status);

        // Key Vault's renewal policy makes the new version, and the next refresh run notices it and plans the rotation.
        var newVersion = vault.SetCertificate(CertificateName, renewed);
        AddKeyMaterialToSink(vault, renewed);
        await job.RunAsync(isPastDue: false, CancellationToken.None);
        var row = await store.GetAsync(Connection, CancellationToken.None);
        Assert.Equal("due", row?.Reason);
        await Task.Delay(300);
        var requests = directory.Requests;
        requests.Reset();

        // Callers over HTTP, and fresh tokens from the authorization server (as the refresh timer gets them) all along.
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 3).Select(async _ =>
        {
            var statuses = new List<int>();
            while (!stop.IsCancellationRequested)
            {
                statuses.Add((await broker.RequestTokenAsync(Connection)).Status);
                await Task.Delay(10);
            }

            return statuses;
        }).ToList();
        var refreshes = Task.Run(async () =>
        {
            var outcomes = new List<bool>();
            while (!stop.IsCancellationRequested)
            {
                outcomes.AddRange((await service.ForceRefreshAsync(Target(broker), CancellationToken.None)).Select(r => r.Succeeded));
                await Task.Delay(30);
            }

            return outcomes;
        });

        var probesRefused = 0;
        for (var run = 0; run < 80 && row?.State != RotationState.Done; run++)
        {
            await job.RunAsync(isPastDue: false, CancellationToken.None);
            row = await store.GetAsync(Connection, CancellationToken.None);
            if (row?.State == RotationState.KeyAdded && row.LastError == "probe_refused")
            {
                // Entra accepts the new key only after the propagation delay; until then callers sign with the old one.
                probesRefused++;
                directory.Time.Advance(directory.PropagationDelay);
            }

            await Task.Delay(100);
        }

        await stop.CancelAsync();
        var served = (await Task.WhenAll(callers)).SelectMany(s => s).ToList();
        var refreshed = await refreshes;

        // The certificate followed the row: the only refused token requests are the runner's probes while the key propagated.
        var refused = requests.Records.Where(r => !r.Succeeded).ToList();
        Assert.NotEmpty(served);
        Assert.All(served, status => Assert.Equal(200, status));
        Assert.NotEmpty(refreshed);
        Assert.All(refreshed, Assert.True);
        Assert.InRange(probesRefused, 1, 3);
        Assert.Equal(probesRefused, refused.Count);
        Assert.All(refused, r => Assert.Equal("invalid_client", r.Error));
        Assert.Equal(newVersion, row!.NewVaultVersion);
        await AssertExactlyOneNewKeyAsync(directory, vault, row, renewed, oldVersion);
    }

    [Fact]
    public async Task A_proof_signed_by_a_certificate_the_application_does_not_hold_is_recorded_as_the_steps_error_and_retried_not_a_caller_failure()
    {
        await using var directory = await EntraDirectory.StartAsync();
        await using var vault = await KeyVaultEndpoint.StartAsync();
        using var stranger = TestCertificates.Create("not-the-apps");
        using var renewed = TestCertificates.Create("rotating-app-v2");

        // An older Key Vault version the application never held, then the one it holds, then the renewal.
        var strangerVersion = vault.SetCertificate(CertificateName, stranger);
        var (_, _) = await RenewedVaultAsync(directory, vault, renewed);
        AddKeyMaterialToSink(vault, stranger);
        var settings = Settings(directory, vault);
        await using var broker = await StartAsync(settings, directory, vault);
        Assert.Equal(200, (await broker.RequestTokenAsync(Connection)).Status);
        var runner = broker.Services.GetRequiredService<RotationRunner>();
        var store = broker.Services.GetRequiredService<RotationStore>();
        var (_, planned) = await runner.PlanNowAsync(Connection, CancellationToken.None);

        // The row names the stranger as the signer of the proof (as a vault whose versions were mixed up would).
        var wrong = await store.TryWriteAsync(planned! with { OldVaultVersion = strangerVersion, OldThumbprint = Convert.ToHexString(stranger.GetCertHash()) }, planned, CancellationToken.None);
        var once = await runner.Rotation.AdvanceAsync(Target(broker), wrong!, DateTimeOffset.MaxValue, CancellationToken.None, maxSteps: 1);
        await Task.Delay(once.NextAttemptOn!.Value - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(20));
        var twice = await runner.Rotation.AdvanceAsync(Target(broker), once, DateTimeOffset.MaxValue, CancellationToken.None, maxSteps: 1);

        Assert.Equal(RotationState.Planned, twice.State);
        Assert.Equal("graph_rejected", twice.LastError);
        Assert.Equal(2, twice.Attempts);
        Assert.NotNull(twice.NextAttemptOn);
        var application = await Graph(directory).GetAsync(EntraDirectory.ManagedApp, CancellationToken.None);
        Assert.Equal([Convert.ToHexString(directory.ManagedAppCertificate.GetCertHash())], application.Keys.Select(k => k.Thumbprint));
        await broker.Services.GetRequiredService<global::TokenBroker.Operations.OperationsService>().EvictAsync(Connection, CancellationToken.None);
        Assert.Equal(200, (await broker.RequestTokenAsync(Connection)).Status);
    }

    [Fact]
    public async Task A_certificate_renewed_by_key_vault_in_manual_mode_is_served_through_the_previous_version_fallback_as_before()
    {
        await using var directory = await EntraDirectory.StartAsync();
        await using var vault = await KeyVaultEndpoint.StartAsync();
        using var renewed = TestCertificates.Create("rotating-app-v2");
        var (oldVersion, _) = await RenewedVaultAsync(directory, vault, renewed);
        var settings = Settings(directory, vault);
        settings[$"TokenBroker:Connections:{Connection}:Lifecycle:Rotation"] = "Manual";
        await using var broker = await StartAsync(settings, directory, vault);
        var requests = directory.Requests;
        requests.Reset();

        var call = await broker.RequestTokenAsync(Connection);

        // Signed with the latest (refused: Entra does not know it), then the previous version, which is accepted and pinned.
        Assert.Equal(200, call.Status);
        Assert.Equal("invalid_client", requests.Records[0].Error);
        Assert.True(requests.Records[^1].Succeeded);
        Assert.Equal(oldVersion, await SigningVersionAsync(broker));
        Assert.Empty(await broker.Services.GetRequiredService<RotationStore>().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_rotate_endpoint_plans_a_certificate_whose_latest_version_is_unregistered_and_answers_409_when_it_is_registered()
    {
        await using var directory = await EntraDirectory.StartAsync();
        await using var vault = await KeyVaultEndpoint.StartAsync();
        vault.SetCertificate(CertificateName, directory.ManagedAppCertificate);
        AddKeyMaterialToSink(vault, directory.ManagedAppCertificate);
        fixture.Sink.AddSensitive(AdminKey);
        var settings = Settings(directory, vault, fixture.CallerIdentitySettings());
        vault.SetSecret("broker-admin-key", AdminKey);
        await using var broker = await StartAsync(settings, directory, vault);

        using var registered = await SendAsync(broker, $"/api/ops/connections/{Connection}/rotate");
        using var renewed = TestCertificates.Create("rotating-app-v2");
        var newVersion = vault.SetCertificate(CertificateName, renewed);
        AddKeyMaterialToSink(vault, renewed);
        using var planned = await SendAsync(broker, $"/api/ops/connections/{Connection}/rotate");
        using var again = await SendAsync(broker, $"/api/ops/connections/{Connection}/rotate");
        using var listing = await SendAsync(broker, "/api/ops/connections", HttpMethod.Get);

        Assert.Equal(HttpStatusCode.Conflict, registered.StatusCode);
        Assert.Equal("application/problem+json", registered.Content.Headers.ContentType?.MediaType);
        Assert.Equal("rotation_nothing_to_do", await CodeAsync(registered));
        Assert.Equal(HttpStatusCode.Accepted, planned.StatusCode);
        using var body = JsonDocument.Parse(await planned.Content.ReadAsStringAsync());
        Assert.Equal("planned", body.RootElement.GetProperty("state").GetString());
        Assert.Equal("operator", body.RootElement.GetProperty("reason").GetString());
        Assert.Equal(newVersion, body.RootElement.GetProperty("new_vault_version").GetString());
        Assert.Equal(Convert.ToHexString(renewed.GetCertHash()), body.RootElement.GetProperty("new_thumbprint").GetString());
        Assert.Equal(Convert.ToHexString(directory.ManagedAppCertificate.GetCertHash()), body.RootElement.GetProperty("old_thumbprint").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("rotation_in_progress", await CodeAsync(again));
        using var list = JsonDocument.Parse(await listing.Content.ReadAsStringAsync());
        var signing = list.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == Connection);
        Assert.Equal("planned", signing.GetProperty("rotation").GetProperty("state").GetString());
    }

    private static async Task<string> SigningVersionAsync(BrokerInstance broker) =>
        (await Target(broker).Credential.GetAsync(broker.Services.GetRequiredService<TokenBroker.Credentials.CredentialServices>(), CancellationToken.None)).Version;

    // The application holds its first certificate; Key Vault holds it as a version, then the renewal as the latest.
    private async Task<(string Old, string New)> RenewedVaultAsync(EntraDirectory directory, KeyVaultEndpoint vault, X509Certificate2 renewed)
    {
        var oldVersion = vault.SetCertificate(CertificateName, directory.ManagedAppCertificate);
        var newVersion = vault.SetCertificate(CertificateName, renewed);
        AddKeyMaterialToSink(vault, directory.ManagedAppCertificate, renewed);
        await Task.CompletedTask;
        return (oldVersion, newVersion);
    }

    // The private keys and every PKCS#12 the vault holds for the certificate (the exact bytes the broker reads).
    private void AddKeyMaterialToSink(KeyVaultEndpoint vault, params X509Certificate2[] certificates)
    {
        foreach (var certificate in certificates)
        {
            using var key = certificate.GetRSAPrivateKey()!;
            fixture.Sink.AddSensitive(Convert.ToBase64String(key.ExportPkcs8PrivateKey()));
        }

        var secrets = vault.CreateSecretClient();
        foreach (var version in secrets.GetPropertiesOfSecretVersions(CertificateName))
        {
            fixture.Sink.AddSensitive(secrets.GetSecret(CertificateName, version.Version).Value.Value);
        }
    }

    private Dictionary<string, string?> Settings(EntraDirectory directory, KeyVaultEndpoint vault, Dictionary<string, string?>? baseline = null)
    {
        var settings = vault.Adopt(baseline ?? fixture.BrokerSettings());
        var prefix = $"TokenBroker:Connections:{Connection}:";
        settings[prefix + "TokenEndpoint"] = directory.TokenEndpoint.AbsoluteUri;
        settings[prefix + "ClientId"] = EntraDirectory.ManagedApp;
        settings[prefix + "CertificateName"] = CertificateName;
        settings[prefix + "Scopes"] = "api.read";
        settings[prefix + "AuthMethod"] = "private_key_jwt";

        // OpenIddict takes the issuer as a client assertion's audience (draft-ietf-oauth-rfc7523bis), Entra the token endpoint.
        settings[prefix + "AssertionAudience"] = directory.BaseUri.AbsoluteUri;
        settings[prefix + "Lifecycle:Directory"] = "EntraId";
        settings[prefix + "Lifecycle:Rotation"] = "Automatic";
        settings[prefix + "Lifecycle:Grace"] = "00:00:00";
        settings["TokenBroker:Lifecycle:Graph:BaseUrl"] = directory.GraphBaseUrl.AbsoluteUri;
        settings["TokenBroker:Lifecycle:Rotation:RetryInterval"] = "00:00:00.050";
        settings["TokenBroker:Lifecycle:Rotation:MaxRetryInterval"] = "00:00:00.050";
        settings["TokenBroker:Refresh:Enabled"] = "false";
        if (settings.ContainsKey("TokenBroker:Callers:Authority"))
        {
            settings["TokenBroker:Operations:AdminKeySecretName"] = "broker-admin-key";
        }

        fixture.Sink.AddSensitive(EntraDirectory.ManagedAppSecret);
        fixture.Sink.AddSensitive(EntraDirectory.BrokerIdentitySecret);
        return settings;
    }

    private Task<BrokerInstance> StartAsync(Dictionary<string, string?> settings, EntraDirectory directory, KeyVaultEndpoint vault) =>
        BrokerInstance.StartAsync(fixture, settings, services =>
        {
            vault.AddTo(services);
            services.AddSingleton(sp => new AppRegistrationClient(directory.CreateGraphClient(), new GraphProof(TimeProvider.System), sp.GetRequiredService<ILogger<AppRegistrationClient>>()));
        });

    private static AppRegistrationClient Graph(EntraDirectory directory) =>
        new(directory.CreateGraphClient(), new GraphProof(TimeProvider.System), Microsoft.Extensions.Logging.Abstractions.NullLogger<AppRegistrationClient>.Instance);

    private static Connection Target(BrokerInstance broker) =>
        broker.Services.GetRequiredService<ConnectionRegistry>().TryGet(Connection, out var connection) ? connection : throw new InvalidOperationException("no connection");

    // One step; a probe is refused until the directory's clock passes the propagation delay, as Entra's would.
    private static Task<RotationRecord> StepAsync(EntraDirectory directory, CredentialRotation rotation, Connection connection, RotationRecord row) =>
        RotationRunners.StepAsync(directory, rotation, connection, row, probedFrom: RotationState.KeyAdded);

    private async Task AssertExactlyOneNewKeyAsync(EntraDirectory directory, KeyVaultEndpoint vault, RotationRecord row, X509Certificate2 renewed, string oldVersion)
    {
        Assert.Equal(RotationState.Done, row.State);

        // The application: the new certificate only, named after the rotation; the old one gone and refused.
        var application = await Graph(directory).GetAsync(EntraDirectory.ManagedApp, CancellationToken.None);
        var key = Assert.Single(application.Keys);
        Assert.Equal(row.NewKeyId, key.KeyId);
        Assert.Equal(Convert.ToHexString(renewed.GetCertHash()), key.Thumbprint);
        Assert.Equal(row.DisplayName, key.DisplayName);
        Assert.Equal(HttpStatusCode.OK, (await directory.RequestTokenWithAssertionAsync(EntraDirectory.ManagedApp, renewed)).Status);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), await directory.RequestTokenWithAssertionAsync(EntraDirectory.ManagedApp, directory.ManagedAppCertificate));

        // Key Vault: untouched (the broker has no certificate write right); both versions still enabled.
        var versions = new List<CertificateProperties>();
        await foreach (var version in vault.CreateCertificateClient().GetPropertiesOfCertificateVersionsAsync(CertificateName))
        {
            versions.Add(version);
        }

        Assert.Equal(2, versions.Count);
        Assert.All(versions, v => Assert.True(v.Enabled));
        Assert.Contains(versions, v => v.Version == oldVersion);
        foreach (var token in directory.Credential.IssuedTokens.Concat(vault.IssuedTokens))
        {
            fixture.Sink.AddSensitive(token);
        }
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    private static async Task<HttpResponseMessage> SendAsync(BrokerInstance broker, string path, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, path);
        request.Headers.Add("x-tokenbroker-admin-key", AdminKey);
        return await broker.Client.SendAsync(request);
    }
}
