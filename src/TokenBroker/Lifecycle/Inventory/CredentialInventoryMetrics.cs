using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// The inventory's gauges on the broker's meter, read from the stored inventory (this instance's snapshot of the table),
/// never from Graph or Key Vault. A hosted service only so the host creates it at start-up, which registers the gauges.
/// </summary>
internal sealed class CredentialInventoryMetrics : IHostedService
{
    public CredentialInventoryMetrics(IMeterFactory meterFactory, ConnectionRegistry connections, InventoryView view, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(TokenBrokerMetrics.MeterName);
        meter.CreateObservableGauge(
            "tokenbroker.credential.expires_in",
            () => ExpiresIn(connections, view, time),
            "s",
            "Seconds until each connection's current credential expires (negative once expired); no measurement when unknown.");
        meter.CreateObservableGauge(
            "tokenbroker.credential.problems",
            () => Problems(connections, view),
            "{problem}",
            "Problems the credential inventory flagged, 1 per connection and flag (expiring_warning, expiring_critical, expired, …).");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static IEnumerable<Measurement<double>> ExpiresIn(ConnectionRegistry connections, InventoryView view, TimeProvider time)
    {
        var snapshot = view.ForGauges();
        var now = time.GetUtcNow();
        foreach (var connection in connections.All)
        {
            if (snapshot.For(connection)?.ExpiresOn is { } expires)
            {
                yield return new Measurement<double>((expires - now).TotalSeconds, new KeyValuePair<string, object?>("connection", connection.Name));
            }
        }
    }

    private static IEnumerable<Measurement<long>> Problems(ConnectionRegistry connections, InventoryView view)
    {
        var snapshot = view.ForGauges();
        foreach (var connection in connections.All)
        {
            foreach (var flag in snapshot.For(connection)?.Flags ?? [])
            {
                yield return new Measurement<long>(1, new KeyValuePair<string, object?>("connection", connection.Name), new KeyValuePair<string, object?>("flag", flag));
            }
        }
    }
}
