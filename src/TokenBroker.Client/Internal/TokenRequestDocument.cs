using System.Text.Json.Serialization;

namespace TokenBroker.Client.Internal;

/// <summary>The body of <c>POST /api/token/{connection}</c>, sent only when a scope is asked for.</summary>
internal sealed record TokenRequestDocument([property: JsonPropertyName("scope")] string Scope);
