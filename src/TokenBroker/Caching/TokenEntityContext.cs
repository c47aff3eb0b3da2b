namespace TokenBroker.Caching;

/// <summary>What an entity records beside the token itself.</summary>
internal readonly record struct TokenEntityContext(string RequestedScope, string ClientId, Uri TokenEndpoint, DateTimeOffset RefreshAt, DateTimeOffset LastRequestedOn);
