using System.Diagnostics.Metrics;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;
using TokenBroker.Lifecycle.Inventory;

namespace TokenBroker.Tests.Lifecycle.Inventory;

/// <summary>The gauges over the stored inventory, with Moq over <see cref="TableClient"/> holding the rows (happy path).</summary>
public sealed class CredentialInventoryMetricsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero));
    private readonly Mock<TableClient> _table = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Connection _kept = InventoryTestConnections.Registry(1, "kept").All.Single();
    private readonly Connection _removed = InventoryTestConnections.Registry(1, "removed").All.Single();

    public CredentialInventoryMetricsTests()
    {
        // The table still holds the row of a connection since removed from configuration.
        TableEntity[] rows = [Row(_kept, TimeSpan.FromDays(5)), Row(_removed, TimeSpan.FromDays(2))];
        _table.Setup(t => t.QueryAsync<TableEntity>(It.IsAny<string>(), It.IsAny<int?>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .Returns(() => AsyncPageable<TableEntity>.FromPages([Page<TableEntity>.FromValues(rows, null, Mock.Of<Response>())]));
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void The_first_collection_on_a_new_instance_already_shows_the_stored_inventory_of_the_configured_connections_only()
    {
        var registry = InventoryTestConnections.Registry(1, "kept");
        using var view = new InventoryView(new InventoryStore(_table.Object), _time, NullLogger<InventoryView>.Instance);
        var factory = _services.GetRequiredService<IMeterFactory>();
        _ = new CredentialInventoryMetrics(factory, registry, view, _time);
        using var expiresIn = new MetricCollector<double>(factory, TokenBrokerMetrics.MeterName, "tokenbroker.credential.expires_in", _time);
        using var problems = new MetricCollector<long>(factory, TokenBrokerMetrics.MeterName, "tokenbroker.credential.problems", _time);

        expiresIn.RecordObservableInstruments();
        problems.RecordObservableInstruments();

        var measured = Assert.Single(expiresIn.GetMeasurementSnapshot());
        Assert.Equal(_kept.Name, measured.Tags["connection"]);
        Assert.Equal(TimeSpan.FromDays(5).TotalSeconds, measured.Value);
        var flagged = Assert.Single(problems.GetMeasurementSnapshot());
        Assert.Equal((_kept.Name, CredentialFlags.ExpiringCritical), ((string)flagged.Tags["connection"]!, (string)flagged.Tags["flag"]!));
    }

    private TableEntity Row(Connection connection, TimeSpan left)
    {
        var now = _time.GetUtcNow();
        var inventory = new CredentialInventory(connection.Name, now, "key_vault", "secret", "secret-" + connection.Name, null, [], null, null, null, now + left, [CredentialFlags.ExpiringCritical], null);
        return new TableEntity(InventoryStore.Partition, InventorySchedule.RowKey(connection))
        {
            ["Inventory"] = JsonSerializer.Serialize(inventory, InventoryJson.Default.CredentialInventory),
            ["TakenOn"] = now,
        };
    }
}
