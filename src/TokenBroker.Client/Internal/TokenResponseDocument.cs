using System.Text.Json.Serialization;

namespace TokenBroker.Client.Internal;

/// <summary>The broker's token response (RFC 6749 §5.1 plus <c>expires_on</c>).</summary>
internal sealed class TokenResponseDocument
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; init; }

    [JsonPropertyName("expires_in")]
    public long? ExpiresIn { get; init; }

    [JsonPropertyName("expires_on")]
    public long? ExpiresOn { get; init; }

    [JsonPropertyName("scope")]
    public string? Scope { get; init; }
}
