using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using TokenBroker.Caching;
using TokenBroker.Host;
using TokenBroker.IntegrationTests.Infrastructure.Faults;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;

namespace TokenBroker.IntegrationTests.Caching;

/// <summary>
/// A new instance opens a token of the shared tier in the background while its web server starts, so its first caller
/// does not pay for the first read and decryption (issue 17, item 2); it writes nothing, counts as no caller's use, and a
/// dependency that is down neither holds the listener nor draws a read from it.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class TokenPathWarmupTests(IntegrationFixture fixture)
{
    private const string ApiKey = "integration-warmup-api-key-0123456789abcdef";
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_new_instance_opens_the_shared_token_before_its_first_caller_and_neither_writes_nor_counts_it_as_use()
    {
        var table = IntegrationFixture.NewTableName();
        var settings = Quiet(fixture.BrokerSettings(table));
        string seeded;
        await using (var first = await fixture.StartBrokerAsync(settings))
        {
            // Both connections, so whichever the warm-up picks has a token in the table.
            Assert.Equal(200, (await first.RequestTokenAsync("other")).Status);
            var call = await first.RequestTokenAsync("demo");
            Assert.Equal(200, call.Status);
            seeded = call.AccessToken!;
        }

        var before = await SnapshotAsync(table);
        var traffic = new TableTrafficControl();
        await using var second = await fixture.StartBrokerAsync(settings, services => services.AddSingleton(traffic.Client(fixture.Storage.ConnectionString, table)));

        var outcome = await second.Services.GetRequiredService<TokenPathWarmup>().Completion.WaitAsync(Bound);

        Assert.Equal(TokenPathWarmupOutcome.Opened, outcome);
        Assert.Equal(1, traffic.EntityReads);
        Assert.Equal(0, second.Services.GetRequiredService<MemoryTokenCache>().Count);
        Assert.Equal(before, await SnapshotAsync(table));

        // The first caller still reads the entry itself, and gets the token an instance already had: none was fetched.
        var firstCall = await second.RequestTokenAsync("demo");
        Assert.Equal(200, firstCall.Status);
        Assert.Equal(seeded, firstCall.AccessToken);
    }

    [Fact]
    public async Task A_table_that_never_answers_neither_delays_the_listener_nor_draws_a_read_from_the_warmup()
    {
        await using var table = await FaultServer.StartAsync();
        await table.SetFaultAsync(Fault.NeverAnswers);
        var settings = Quiet(fixture.BrokerSettings());
        settings["TokenBroker:TokenCache:ConnectionString"] =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};TableEndpoint={table.Uri}devstoreaccount1;";
        var broker = await fixture.StartBrokerAsync(settings);
        var warmup = broker.Services.GetRequiredService<TokenPathWarmup>();
        try
        {
            using var health = await broker.Client.GetAsync("/api/health");
            Assert.Equal(200, (int)health.StatusCode);

            // The start-up probe is still waiting on the table, so the warm-up has not begun.
            Assert.False(warmup.Completion.IsCompleted);
        }
        finally
        {
            await broker.DisposeAsync();
        }

        // Skipped: it sent no read (a read stopped on the way would be Read).
        Assert.Equal(TokenPathWarmupOutcome.Skipped, await warmup.Completion.WaitAsync(Bound));
    }

    [Fact]
    public async Task Key_vault_refusing_connections_neither_delays_the_listener_nor_draws_a_read_from_the_warmup()
    {
        await using var vault = await KeyVaultEndpoint.StartAsync();
        await vault.SetFaultAsync(Fault.Refused);
        fixture.Sink.AddSensitive(ApiKey);
        var table = IntegrationFixture.NewTableName();
        var settings = Quiet(fixture.BrokerSettings(table));
        settings["TokenBroker:Host:ApiKey"] = ApiKey;
        settings["TokenBroker:Callers:Mode"] = "FunctionKeyOnly";
        var traffic = new TableTrafficControl();
        var builder = BrokerHost.CreateBuilder(["--urls", $"http://127.0.0.1:{FreePort.Next()}", "--environment", "Production"]);
        builder.Configuration.AddInMemoryCollection(vault.Adopt(settings));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(fixture.Sink);
        vault.AddTo(builder.Services);
        builder.Services.AddSingleton(traffic.Client(fixture.Storage.ConnectionString, table));
        await using var app = BrokerHost.Build(builder);

        // Start-up waits for no vault: the key is judged "unchecked", the host listens, and the warm-up stands down.
        await app.StartAsync().WaitAsync(Bound);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        using var health = await http.GetAsync("/api/health");
        var outcome = await app.Services.GetRequiredService<TokenPathWarmup>().Completion.WaitAsync(Bound);

        Assert.Equal(200, (int)health.StatusCode);
        Assert.Equal(TokenPathWarmupOutcome.Skipped, outcome);
        Assert.Equal(0, traffic.EntityReads);
        await app.StopAsync();
    }

    // Nothing else on the instance may read or write the table: the refresh job is off.
    private static Dictionary<string, string?> Quiet(Dictionary<string, string?> settings)
    {
        settings["TokenBroker:Refresh:Enabled"] = "false";
        return settings;
    }

    private async Task<List<string>> SnapshotAsync(string table)
    {
        var client = new TableClient(fixture.Storage.ConnectionString, table);
        var rows = new List<string>();
        await foreach (var entity in client.QueryAsync<TableEntity>())
        {
            rows.Add($"{entity.PartitionKey}/{entity.RowKey}/{entity.ETag}");
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
