using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using TokenBroker.IntegrationTests.Infrastructure.Faults;
using TokenBroker.IntegrationTests.Infrastructure.KeyVault;
using TokenBroker.Lifecycle.Inventory;
using TokenBroker.Refresh;

namespace TokenBroker.IntegrationTests.Lifecycle.Inventory;

/// <summary>
/// The inventory in slices on Azurite, through a real broker host: the refresh run reads a bounded slice, writes its rows
/// in entity-group transactions (counted on the wire), and a transaction the table refuses (a real refused connection)
/// loses no connection. The clock is fake and never moves during a run, so the budget never cuts a slice here: the slice
/// size is set by <c>MaxReadsPerRun</c> and nothing depends on the machine's speed.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class InventorySliceTests(IntegrationFixture fixture)
{
    // 250 here and the fixture's demo and other.
    private const int Connections = 252;
    private const int PerRun = 120;

    [Fact]
    public async Task A_pass_over_250_connections_takes_three_runs_of_transactions_of_at_most_100_rows_and_the_listing_is_then_complete()
    {
        var (broker, traffic, _) = await StartAsync();
        await using var owned = broker;
        var job = broker.Services.GetRequiredService<TokenRefreshJob>();

        await job.RunAsync(isPastDue: false, CancellationToken.None);
        var afterFirst = await ListAsync(broker);
        await job.RunAsync(isPastDue: false, CancellationToken.None);
        await job.RunAsync(isPastDue: false, CancellationToken.None);
        var listing = await ListAsync(broker);
        var requestsBefore = traffic.InventoryRequests;
        await job.RunAsync(isPastDue: false, CancellationToken.None);

        // 120 + 120 + 12 rows: 100 + 20, 100 + 20, 12; never one row at a time.
        Assert.Equal([100, 20, 100, 20, 12], traffic.TransactionSizes);
        Assert.Equal(0, traffic.SingleRowWrites);

        // The instance that ran shows each slice at once, and all of them after the pass.
        Assert.Equal(PerRun, afterFirst.Count(c => c.Value.TryGetProperty("credential", out _)));
        Assert.Equal(Connections, listing.Count);
        Assert.All(listing.Values, c => Assert.Equal("configuration", c.GetProperty("credential").GetProperty("source").GetString()));

        // Nothing is due for the next hour: the run after the pass does not ask the table about the inventory.
        Assert.Equal(requestsBefore, traffic.InventoryRequests);
    }

    [Fact]
    public async Task A_transaction_the_table_refuses_is_logged_and_its_connections_are_read_again_on_the_next_run()
    {
        var (broker, traffic, _) = await StartAsync();
        await using var owned = broker;
        var job = broker.Services.GetRequiredService<TokenRefreshJob>();
        var logged = fixture.Sink.EmittedCount;

        traffic.RefuseTransactions = true;
        var report = await job.RunAsync(isPastDue: false, CancellationToken.None);
        traffic.RefuseTransactions = false;
        var afterFailure = await ListAsync(broker);
        await job.RunAsync(isPastDue: false, CancellationToken.None);
        var listing = await ListAsync(broker);

        Assert.Equal(0, report.Failed);
        Assert.Contains(fixture.Sink.Emitted.Skip(logged), line => line.Contains("Credential inventory: a transaction of 100 rows could not be written", StringComparison.Ordinal));
        Assert.DoesNotContain(afterFailure.Values, c => c.TryGetProperty("credential", out _));

        // The same first slice, oldest (never read) first, is read again and written.
        Assert.Equal(PerRun, listing.Values.Count(c => c.TryGetProperty("credential", out _)));
    }

    [Fact]
    public async Task A_vault_that_never_answers_is_cut_off_after_twice_the_budget_and_its_connections_are_read_on_the_next_run()
    {
        await using var vault = await KeyVaultEndpoint.StartAsync();
        var settings = vault.Adopt(fixture.BrokerSettings());
        settings["TokenBroker:Refresh:Enabled"] = "false";
        settings["TokenBroker:Lifecycle:Inventory:MaxRunTime"] = "00:00:00.5";
        await using var broker = await fixture.StartBrokerAsync(settings, vault.AddTo);
        var job = broker.Services.GetRequiredService<TokenRefreshJob>();

        await vault.SetFaultAsync(Fault.NeverAnswers);
        var report = await job.RunAsync(isPastDue: false, CancellationToken.None);
        await vault.SetFaultAsync(null);
        var afterHang = await ListAsync(broker);
        await job.RunAsync(isPastDue: false, CancellationToken.None);
        var listing = await ListAsync(broker);
        foreach (var token in vault.IssuedTokens)
        {
            fixture.Sink.AddSensitive(token);
        }

        // Cut off, not timed out by the client: a read that ended would have written a row saying "unavailable".
        Assert.Equal(0, report.Failed);
        Assert.DoesNotContain(afterHang.Values, c => c.TryGetProperty("credential", out _));
        Assert.All(listing.Values, c => Assert.Equal("key_vault", c.GetProperty("credential").GetProperty("source").GetString()));
        fixture.Sink.AssertNoLeak();
    }

    private async Task<(BrokerInstance Broker, InventoryTraffic Traffic, FakeTimeProvider Clock)> StartAsync()
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Refresh:Enabled"] = "false";
        settings["TokenBroker:Lifecycle:Inventory:MaxReadsPerRun"] = PerRun.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < Connections - 2; i++)
        {
            var prefix = $"TokenBroker:Connections:slice{i:D3}:";
            settings[prefix + "TokenEndpoint"] = fixture.Authorization.TokenEndpoint.AbsoluteUri;
            settings[prefix + "ClientId"] = AuthorizationServer.ClientId;
            settings[prefix + "SecretName"] = "demo-secret";
            settings[prefix + "Scopes"] = "api.read";
        }

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var traffic = new InventoryTraffic();
        var broker = await fixture.StartBrokerAsync(settings, services => services
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton(traffic.Client(fixture.Storage.ConnectionString, settings["TokenBroker:TokenCache:TableName"]!)));
        return (broker, traffic, clock);
    }

    private static async Task<Dictionary<string, JsonElement>> ListAsync(BrokerInstance broker)
    {
        using var response = await broker.Client.GetAsync("/api/ops/connections");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    }

    /// <summary>
    /// A policy in the real <see cref="TableClient"/>'s pipeline: counts entity-group transactions (with their operations)
    /// and requests about the inventory partition, and can send the transactions to a loopback port nobody listens on.
    /// </summary>
    private sealed class InventoryTraffic : HttpPipelinePolicy
    {
        private readonly int _refusingPort = FreePort.Next();
        private readonly List<int> _transactionSizes = [];
        private int _singleRowWrites;
        private int _inventoryRequests;

        public bool RefuseTransactions { get; set; }

        public IReadOnlyList<int> TransactionSizes
        {
            get
            {
                lock (_transactionSizes)
                {
                    return [.. _transactionSizes];
                }
            }
        }

        public int SingleRowWrites => Volatile.Read(ref _singleRowWrites);

        /// <summary>Requests that name the inventory partition in their address: the run row, the query of the rows' ages.</summary>
        public int InventoryRequests => Volatile.Read(ref _inventoryRequests);

        public TableClient Client(string connectionString, string tableName)
        {
            var options = new TableClientOptions();
            options.Retry.MaxRetries = 0;
            options.AddPolicy(this, HttpPipelinePosition.PerRetry);
            return new TableClient(connectionString, tableName, options);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ArgumentNullException.ThrowIfNull(message);
            var request = message.Request;
            var address = Uri.UnescapeDataString(request.Uri.ToUri().PathAndQuery);
            if (request.Method == RequestMethod.Post && address.Contains("$batch", StringComparison.Ordinal))
            {
                if (RefuseTransactions)
                {
                    request.Uri.Host = "127.0.0.1";
                    request.Uri.Port = _refusingPort;
                }
                else
                {
                    lock (_transactionSizes)
                    {
                        _transactionSizes.Add(Operations(request));
                    }
                }
            }
            else if (address.Contains(InventoryStore.Partition, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _inventoryRequests);
                if (request.Method != RequestMethod.Get && !address.Contains(InventoryStore.RunRow, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _singleRowWrites);
                }
            }

            await ProcessNextAsync(message, pipeline);
        }

        // Each operation of the change set is one part with its own request line.
        private static int Operations(Request request)
        {
            using var body = new MemoryStream();
            request.Content!.WriteTo(body, CancellationToken.None);
            var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
            return text.Split("Content-Type: application/http", StringSplitOptions.None).Length - 1;
        }
    }
}
