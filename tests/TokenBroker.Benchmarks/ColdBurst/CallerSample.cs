namespace TokenBroker.Benchmarks.ColdBurst;

/// <summary>One caller's POST to a broker's token route.</summary>
/// <param name="Host">Which broker host it went to.</param>
/// <param name="Milliseconds">From sending the request to having read the whole response.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The response body, read inside the timing but parsed only after the burst.</param>
internal sealed record CallerSample(int Host, double Milliseconds, int Status, byte[] Body);
