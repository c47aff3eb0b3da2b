namespace TokenBroker.Benchmarks.ClientHandler;

/// <summary>The yardstick of the client-handler benchmarks: a <see cref="DelegatingHandler"/> that does nothing.</summary>
internal sealed class PassThroughHandler : DelegatingHandler
{
}
