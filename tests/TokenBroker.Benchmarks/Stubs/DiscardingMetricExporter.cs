using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace TokenBroker.Benchmarks.Stubs;

/// <summary>
/// Stands in for the Azure Monitor exporter the hosts add in Azure: OpenTelemetry only listens to a meter (and so only
/// pays for aggregating its measurements) when a reader is attached, and a reader needs an exporter. This one drops the batch.
/// </summary>
internal sealed class DiscardingMetricExporter : BaseExporter<Metric>
{
    public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
}
