namespace TokenBroker.Host;

/// <summary>
/// The standalone host's stand-in for the queue trigger, bound from <c>TokenBroker:RotationQueue</c>. Off unless a
/// connection string or service URI is set.
/// </summary>
public sealed class RotationQueueOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:RotationQueue";

    /// <summary>Appended to <see cref="QueueName"/> to name the queue failing messages are moved to.</summary>
    internal const string PoisonSuffix = "-poison";

    /// <summary>A storage connection string (Azurite locally).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Queue service URI, reached with the app's managed identity.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The queue Event Grid delivers Key Vault events to.</summary>
    public string QueueName { get; set; } = "secret-rotation-events";

    /// <summary>Deliveries before a failing message is moved to <c>{QueueName}-poison</c>; as <c>maxDequeueCount</c> in host.json.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long the pump sleeps when the queue is empty.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a failed message stays invisible before it is delivered again (the Queue service takes whole seconds, at least one).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when a queue is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString) || ServiceUri is not null;
}
