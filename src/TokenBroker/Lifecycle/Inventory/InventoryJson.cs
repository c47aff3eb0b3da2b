using System.Text.Json.Serialization;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>The compact stored form of an inventory row: short names, nulls left out.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CredentialInventory))]
internal sealed partial class InventoryJson : JsonSerializerContext;
