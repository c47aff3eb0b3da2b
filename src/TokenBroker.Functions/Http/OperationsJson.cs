using System.Text.Json;
using System.Text.Json.Serialization;
using TokenBroker.Operations;

namespace TokenBroker.Functions.Http;

/// <summary>Source-generated JSON for the operations endpoints (snake_case like the rest of the API).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<ConnectionStatus>))]
[JsonSerializable(typeof(RefreshResultBody))]
[JsonSerializable(typeof(TokenBroker.Lifecycle.Rotation.RotationStatus))]
internal sealed partial class OperationsJson : JsonSerializerContext
{
    public static StaticJsonResult Result<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        new(JsonSerializer.SerializeToUtf8Bytes(value, type));
}
