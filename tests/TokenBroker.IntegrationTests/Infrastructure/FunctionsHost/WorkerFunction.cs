using System.Text.Json;
using TokenBroker.IntegrationTests.Infrastructure.FunctionsHost.Rpc;

namespace TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

/// <summary>A function as the worker reported it in its <c>FunctionMetadataResponse</c>, with its trigger binding read from the raw bindings.</summary>
public sealed record WorkerFunction(RpcFunctionMetadata Metadata, JsonElement Trigger)
{
    public string Name => Metadata.Name;

    public string FunctionId => Metadata.FunctionId;

    public string TriggerType => Trigger.GetProperty("type").GetString()!;

    public string TriggerName => Trigger.GetProperty("name").GetString()!;

    public bool IsHttp => string.Equals(TriggerType, "httpTrigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>The binding's property, or null: <c>route</c>, <c>authLevel</c>, <c>queueName</c>, <c>connection</c>, <c>schedule</c>.</summary>
    public string? Property(string name) => Trigger.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Whether the worker binds the trigger lazily from <c>ModelBindingData</c> (an SDK type or <c>BinaryData</c>), which the host then sends instead of the payload.</summary>
    public bool SupportsDeferredBinding =>
        Trigger.TryGetProperty("properties", out var properties)
        && properties.TryGetProperty("supportsDeferredBinding", out var deferred)
        && string.Equals(deferred.GetString(), "true", StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<string> Methods =>
        Trigger.TryGetProperty("methods", out var methods) ? [.. methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant())] : [];

    public static WorkerFunction From(RpcFunctionMetadata metadata)
    {
        foreach (var raw in metadata.RawBindings)
        {
            var binding = JsonDocument.Parse(raw).RootElement.Clone();
            if (binding.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            {
                return new WorkerFunction(metadata, binding);
            }
        }

        throw new InvalidOperationException($"Function {metadata.Name} reported no trigger binding.");
    }
}
