namespace TokenBroker.Benchmarks.SteadyState;

/// <summary>One token request the stub token endpoint answered: for which connection, and when in simulated time.</summary>
internal readonly record struct IssuedToken(string Connection, TimeSpan Elapsed);
