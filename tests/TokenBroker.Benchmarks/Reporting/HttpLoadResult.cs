using System.Text.Json;

namespace TokenBroker.Benchmarks.Reporting;

/// <summary>The medians of the alternating wrk rounds against the broker host and the bare endpoint.</summary>
internal sealed record HttpLoadResult(
    int Rounds,
    double BrokerRequestsPerSecond,
    double BareRequestsPerSecond,
    double BrokerP99Microseconds,
    double BareP99Microseconds,
    double BrokerP50Microseconds,
    double BareP50Microseconds,
    double? BrokerCpuMicrosecondsPerRequest,
    double? BareCpuMicrosecondsPerRequest,
    double BrokerBytesPerResponse,
    double BareBytesPerResponse,
    long BrokerErrors,
    long BareErrors)
{
    public double ThroughputRatio => BrokerRequestsPerSecond / BareRequestsPerSecond;

    public double P99Ratio => BrokerP99Microseconds / BareP99Microseconds;

    public double? CpuRatio => BrokerCpuMicrosecondsPerRequest / BareCpuMicrosecondsPerRequest;

    /// <summary>Reads <c>broker-N.json</c> and <c>bare-N.json</c> from <paramref name="directory"/>.</summary>
    public static HttpLoadResult Read(string directory)
    {
        var broker = ReadRuns(directory, "broker");
        var bare = ReadRuns(directory, "bare");
        if (broker.Count == 0 || broker.Count != bare.Count)
        {
            throw new InvalidOperationException($"{directory} holds {broker.Count} broker and {bare.Count} bare runs; expected the same number, at least one.");
        }

        return new HttpLoadResult(
            broker.Count,
            Median(broker, run => run.RequestsPerSecond),
            Median(bare, run => run.RequestsPerSecond),
            Median(broker, run => run.LatencyMicroseconds.P99),
            Median(bare, run => run.LatencyMicroseconds.P99),
            Median(broker, run => run.LatencyMicroseconds.P50),
            Median(bare, run => run.LatencyMicroseconds.P50),
            MedianOrNull(broker, run => run.CpuMicrosecondsPerRequest),
            MedianOrNull(bare, run => run.CpuMicrosecondsPerRequest),
            Median(broker, run => run.BytesPerResponse),
            Median(bare, run => run.BytesPerResponse),
            broker.Sum(run => run.Errors.Total),
            bare.Sum(run => run.Errors.Total));
    }

    private static List<WrkRun> ReadRuns(string directory, string target) =>
        [.. Directory.GetFiles(directory, $"{target}-*.json")
            .Order(StringComparer.Ordinal)
            .Select(file => JsonSerializer.Deserialize<WrkRun>(File.ReadAllText(file), InProcessRun.Json)
                ?? throw new InvalidOperationException($"{file} is empty."))];

    private static double? MedianOrNull(List<WrkRun> runs, Func<WrkRun, double?> value) =>
        runs.All(run => value(run) is not null) ? Median(runs, run => value(run)!.Value) : null;

    private static double Median(List<WrkRun> runs, Func<WrkRun, double> value)
    {
        var sorted = runs.Select(value).Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
