using System.Text.Json.Serialization;

namespace TokenBroker.Client.Internal;

/// <summary>The broker's RFC 9457 problem document.</summary>
internal sealed class ProblemDocument
{
    [JsonPropertyName("title")]
    public string? Title { get; init; }

    [JsonPropertyName("status")]
    public int? Status { get; init; }

    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    [JsonPropertyName("code")]
    public string? Code { get; init; }

    [JsonPropertyName("upstream_error")]
    public string? UpstreamError { get; init; }

    [JsonPropertyName("retry_after")]
    public long? RetryAfter { get; init; }

    [JsonPropertyName("trace_id")]
    public string? TraceId { get; init; }
}
