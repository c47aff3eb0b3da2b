namespace TokenBroker.Caching;

/// <summary>The token cache, bound from <c>TokenBroker:TokenCache</c>.</summary>
internal sealed class TokenCacheOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:TokenCache";

    /// <summary>The connection string Azurite and local runs use. Prefer <see cref="ServiceUri"/> in Azure.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Table service endpoint, reached with the app's managed identity (no shared key).</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The table holding the tokens shared by every instance.</summary>
    public string TableName { get; set; } = "TokenCache";

    /// <summary>
    /// The secret (Key Vault, or local configuration) holding the key that encrypts tokens at rest: 32 random bytes in base64.
    /// Rotating it is a new version of the secret; entries sealed with an older enabled version stay readable.
    /// </summary>
    public string EncryptionKeySecretName { get; set; } = "token-cache-key";

    /// <summary>A cached token is served only while more than this is left (or <see cref="SafetyMarginRatio"/> of its lifetime, whichever is smaller).</summary>
    public TimeSpan SafetyMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The share of a token's lifetime kept as a margin for short-lived tokens.</summary>
    public double SafetyMarginRatio { get; set; } = 0.1;

    /// <summary>
    /// How long a request's read of the shared tier may take before the broker goes on without it (a miss, and no further
    /// table operation on that fetch). The table client's own timeouts (5 s per attempt, one retry) still bound the rest.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Lifetimes an authorization server claims beyond this are clamped to it.</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(24);
}
