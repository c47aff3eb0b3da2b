namespace TokenBroker.Client.Internal;

/// <summary>A token in the memory cache and the moment it stops being handed out.</summary>
internal sealed record CachedToken(BrokeredToken Token, DateTimeOffset RefreshAt);
