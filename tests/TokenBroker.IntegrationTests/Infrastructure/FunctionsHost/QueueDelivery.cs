namespace TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

/// <summary>One delivery of a queue message to the function, and how the invocation ended.</summary>
public sealed record QueueDelivery(string MessageId, string PopReceipt, long DequeueCount, DateTimeOffset? InsertedOn, BinaryData Body)
{
    public bool? Succeeded { get; set; }
}
