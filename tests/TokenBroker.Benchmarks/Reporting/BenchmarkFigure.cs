namespace TokenBroker.Benchmarks.Reporting;

/// <summary>One BenchmarkDotNet result.</summary>
/// <param name="Method">The benchmark method.</param>
/// <param name="MeanNanoseconds">Mean time per operation.</param>
/// <param name="MedianNanoseconds">Median time per operation: what the report compares, as one noisy iteration on a shared machine moves it least.</param>
/// <param name="StdDevNanoseconds">Standard deviation of the iterations.</param>
/// <param name="AllocatedBytes">Bytes allocated per operation, as the memory diagnoser counts them.</param>
internal sealed record BenchmarkFigure(string Method, double MeanNanoseconds, double MedianNanoseconds, double StdDevNanoseconds, long AllocatedBytes);
