using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Acquisition;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.IntegrationTests.Infrastructure.Graph;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;
using TokenBroker.Lifecycle;
using TokenBroker.Lifecycle.Rotation;
using TokenBroker.Refresh;

namespace TokenBroker.IntegrationTests.Lifecycle.Rotation;

/// <summary>
/// Automatic rotation of an Entra ID client secret with real parts: the development server's Graph endpoint (real Graph
/// SDK, propagation delay on its own clock), the Key Vault test endpoint (real SecretClient), Azurite, brokers on
/// loopback. A runner stopped between any two steps, or after a step's effect but before its table write (the table
/// refusing connections), is resumed by another broker, with exactly one new credential at both ends at the end.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class SecretRotationTests(IntegrationFixture fixture)
{
    private const string Connection = "rotating";
    private const string SecretName = "rotating-secret";
    private const string AdminKey = "rotation-admin-key-8e21c7d04b9f3a";

    // Steps: 1 records the old credential, 2 addPassword, 3 Key Vault write, 4 probe, 5 promotion, 6 retirement.
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    [InlineData(5, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(5, true)]
    [InlineData(6, true)]
    public async Task A_rotation_stopped_after_any_step_completes_on_another_instance_with_exactly_one_new_secret(int stepsOnFirst, bool lastWriteLost)
    {
        await using var directory = await EntraDirectory.StartAsync();
        await using var vault = await KeyVaultEndpoint.StartAsync();
        var oldVersion = vault.SetSecret(SecretName, EntraDirectory.ManagedAppSecret);
        var settings = Settings(directory, vault);

        RotationRecord row;
        await using (var first = await StartAsync(settings, directory, vault))
        {
            var traffic = new TableTrafficControl();
            var rotation = RotationRunners.Over(first, new RotationStore(traffic.Client(fixture.Storage.ConnectionString, settings["TokenBroker:TokenCache:TableName"]!)));
            var connection = Target(first);
            var (outcome, plannedRow) = await first.Services.GetRequiredService<RotationRunner>().PlanNowAsync(Connection, CancellationToken.None);
            Assert.Equal(PlanOutcome.Planned, outcome);
            row = plannedRow!;
            var completed = 0;
            while (completed < stepsOnFirst - (lastWriteLost ? 1 : 0))
            {
                var next = await StepAsync(directory, rotation, connection, row);
                // A step completed when the row was written without an error (recording the old credential keeps the state).
                completed += next.ETag != row.ETag && next.LastError is null ? 1 : 0;
                row = next;
            }

            if (lastWriteLost)
            {
                // The step's effect happens (Graph, Key Vault), then the table refuses connections: its write is lost.
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

        await AssertExactlyOneNewSecretAsync(directory, vault, row, oldVersion);
        Assert.Equal(200, (await second.RequestTokenAsync(Connection)).Status);
    }

    [Fact]
    public async Task A_due_secret_is_rotated_by_the_refresh_run_while_callers_are_served_throughout()
    {
        await using var directory = await EntraDirectory.StartAsync();
        await using var vault = await KeyVaultEndpoint.StartAsync();
        // Due: the current version expires in 10 days, inside the 30 days of RenewBefore.
        var oldVersion = vault.SetSecret(SecretName, EntraDirectory.ManagedAppSecret, KeyVaultAttributes.Default with { ExpiresOn = DateTimeOffset.UtcNow.AddDays(10) });
        var settings = Settings(directory, vault);
        await using var broker = await StartAsync(settings, directory, vault);
        var job = broker.Services.GetRequiredService<TokenRefreshJob>();
        var store = broker.Services.GetRequiredService<RotationStore>();

        var statuses = new List<int> { (await broker.RequestTokenAsync(Connection)).Status };
        RotationRecord? row = null;
        for (var run = 0; run < 60 && row?.State != RotationState.Done; run++)
        {
            await job.RunAsync(isPastDue: false, CancellationToken.None);
            row = await store.GetAsync(Connection, CancellationToken.None);
            statuses.Add((await broker.RequestTokenAsync(Connection)).Status);
            if (row?.State == RotationState.SecretStored)
            {
                // Entra accepts the new secret only after the propagation delay; until then callers get the old one's tokens.
                Assert.Equal("probe_refused", row.LastError ?? "probe_refused");
                directory.Time.Advance(directory.PropagationDelay);
            }

            await Task.Delay(60);
        }

        Assert.All(statuses, status => Assert.Equal(200, status));
        Assert.Equal("due", row!.Reason);
        await AssertExactlyOneNewSecretAsync(directory, vault, row, oldVersion);
    }

    [Fact]
    public async Task The_rotate_endpoint_plans_once_and_answers_404_409_401_and_403_with_problem_details()
    {
        await using var directory = await EntraDirectory.StartAsync();
        await using var vault = await KeyVaultEndpoint.StartAsync();
        vault.SetSecret(SecretName, EntraDirectory.ManagedAppSecret);
        fixture.Sink.AddSensitive(AdminKey);
        var settings = Settings(directory, vault, fixture.CallerIdentitySettings());
        vault.SetSecret("broker-admin-key", AdminKey);
        await using var broker = await StartAsync(settings, directory, vault);
        var caller = await fixture.Authorization.CallerTokenAsync();
        fixture.Sink.AddSensitive(caller);

        using var planned = await SendAsync(broker, $"/api/ops/connections/{Connection}/rotate", AdminKey);
        using var again = await SendAsync(broker, $"/api/ops/connections/{Connection}/rotate", AdminKey);
        using var manual = await SendAsync(broker, "/api/ops/connections/demo/rotate", AdminKey);
        using var missing = await SendAsync(broker, "/api/ops/connections/nope/rotate", AdminKey);
        using var anonymous = await SendAsync(broker, $"/api/ops/connections/{Connection}/rotate", null);
        using var notAdmin = await SendAsync(broker, $"/api/ops/connections/{Connection}/rotate", null, caller);
        using var listing = await SendAsync(broker, "/api/ops/connections", AdminKey, method: HttpMethod.Get);

        Assert.Equal(HttpStatusCode.Accepted, planned.StatusCode);
        using var body = JsonDocument.Parse(await planned.Content.ReadAsStringAsync());
        Assert.Equal("planned", body.RootElement.GetProperty("state").GetString());
        Assert.Equal("operator", body.RootElement.GetProperty("reason").GetString());
        var rotationId = body.RootElement.GetProperty("rotation_id").GetString();
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("rotation_in_progress", await CodeAsync(again));
        Assert.Equal(HttpStatusCode.Conflict, manual.StatusCode);
        Assert.Equal("rotation_manual", await CodeAsync(manual));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("connection_not_found", await CodeAsync(missing));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        Assert.Equal("application/problem+json", notAdmin.Content.Headers.ContentType?.MediaType);
        using var list = JsonDocument.Parse(await listing.Content.ReadAsStringAsync());
        var rotating = list.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == Connection);
        Assert.Equal(rotationId, rotating.GetProperty("rotation").GetProperty("rotation_id").GetString());
        Assert.False(list.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "demo").TryGetProperty("rotation", out _));
        Assert.Single(await broker.Services.GetRequiredService<RotationStore>().ListAsync(CancellationToken.None));
    }

    private Dictionary<string, string?> Settings(EntraDirectory directory, KeyVaultEndpoint vault, Dictionary<string, string?>? baseline = null)
    {
        var settings = vault.Adopt(baseline ?? fixture.BrokerSettings());
        var prefix = $"TokenBroker:Connections:{Connection}:";
        settings[prefix + "TokenEndpoint"] = directory.TokenEndpoint.AbsoluteUri;
        settings[prefix + "ClientId"] = EntraDirectory.ManagedApp;
        settings[prefix + "SecretName"] = SecretName;
        settings[prefix + "Scopes"] = "api.read";
        settings[prefix + "AuthMethod"] = "client_secret_post";
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

    private static Connection Target(BrokerInstance broker) =>
        broker.Services.GetRequiredService<ConnectionRegistry>().TryGet(Connection, out var connection) ? connection : throw new InvalidOperationException("no connection");

    // One step; a probe is refused until the directory's clock passes the propagation delay, as Entra's would.
    private static Task<RotationRecord> StepAsync(EntraDirectory directory, CredentialRotation rotation, Connection connection, RotationRecord row) =>
        RotationRunners.StepAsync(directory, rotation, connection, row, probedFrom: RotationState.SecretStored);

    private async Task AssertExactlyOneNewSecretAsync(EntraDirectory directory, KeyVaultEndpoint vault, RotationRecord row, string oldVersion)
    {
        Assert.Equal(RotationState.Done, row.State);
        var client = vault.CreateSecretClient();
        var versions = new List<SecretProperties>();
        await foreach (var version in client.GetPropertiesOfSecretVersionsAsync(SecretName))
        {
            versions.Add(version);
        }

        // Key Vault: the old version disabled, one new version tagged with the rotation and the Graph keyId, nothing else.
        Assert.Equal(2, versions.Count);
        Assert.False(versions.Single(v => v.Version == oldVersion).Enabled);
        var stored = versions.Single(v => v.Version != oldVersion);
        Assert.True(stored.Enabled);
        Assert.Equal(row.NewVaultVersion, stored.Version);
        Assert.Equal(row.RotationId, stored.Tags[VaultTags.Rotation]);
        Assert.Equal(row.NewKeyId.ToString(), stored.Tags[VaultTags.GraphKeyId]);
        Assert.Equal(row.NewEndsOn?.ToUnixTimeSeconds(), stored.ExpiresOn?.ToUnixTimeSeconds());
        var value = (await client.GetSecretAsync(SecretName, stored.Version)).Value.Value;
        fixture.Sink.AddSensitive(value);

        // The authorization server: the new secret only, named after the rotation; the old one refused.
        using var graph = directory.CreateGraphClient();
        var application = await new AppRegistrationClient(graph, new GraphProof(TimeProvider.System), Microsoft.Extensions.Logging.Abstractions.NullLogger<AppRegistrationClient>.Instance)
            .GetAsync(EntraDirectory.ManagedApp, CancellationToken.None);
        var secret = Assert.Single(application.Secrets);
        Assert.Equal(row.NewKeyId, secret.KeyId);
        Assert.Equal(row.DisplayName, secret.DisplayName);
        Assert.Equal(HttpStatusCode.OK, (await directory.RequestTokenAsync(EntraDirectory.ManagedApp, value)).Status);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), await directory.RequestTokenAsync(EntraDirectory.ManagedApp, EntraDirectory.ManagedAppSecret));
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

    private static async Task<HttpResponseMessage> SendAsync(BrokerInstance broker, string path, string? adminKey, string? bearer = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, path);
        if (adminKey is not null)
        {
            request.Headers.Add("x-tokenbroker-admin-key", adminKey);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await broker.Client.SendAsync(request);
    }
}
