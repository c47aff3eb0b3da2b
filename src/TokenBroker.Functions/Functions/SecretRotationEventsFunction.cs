using Microsoft.Azure.Functions.Worker;
using TokenBroker.Rotation;

namespace TokenBroker.Functions.Functions;

/// <summary>
/// Key Vault secret events (Event Grid → storage queue). A message that fails <c>maxDequeueCount</c> times (host.json) is
/// moved to <c>secret-rotation-events-poison</c> by the runtime: malformed events end there instead of looping.
/// </summary>
public sealed class SecretRotationEventsFunction(SecretEventProcessor processor)
{
    /// <summary>The function's name in functions.metadata and in Azure.</summary>
    public const string Name = "SecretRotationEvents";

    /// <summary>The queue Event Grid delivers to.</summary>
    public const string QueueName = "secret-rotation-events";

    /// <summary>Hands the message to the processor.</summary>
    [Function(Name)]
    public Task RunAsync([QueueTrigger(QueueName, Connection = "AzureWebJobsStorage")] BinaryData message, CancellationToken cancellationToken) =>
        processor.HandleAsync(message, cancellationToken);
}
