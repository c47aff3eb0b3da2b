namespace TokenBroker.Coordination;

/// <summary>A token result and how it came about.</summary>
internal readonly record struct FetchResult(TokenResult Result, FetchOutcome Outcome);
