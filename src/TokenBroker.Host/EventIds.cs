namespace TokenBroker.Host;

/// <summary>
/// Every log event id of the standalone host, in one list. The host runs with the core, so its ids are beside the core's
/// ranges and never among them (the core's list is <c>TokenBroker.Diagnostics.EventIds</c>). Stable; docs/runbook.md lists them.
/// </summary>
internal static class EventIds
{
    // Function keys (4000s).
    /// <summary>A call without the right function key was refused.</summary>
    public const int FunctionKeyRefused = 4001;

    // The rotation queue pump, the stand-in for the queue trigger (6100s, beside the core's rotation events).
    /// <summary>A rotation queue message failed; it will be delivered again.</summary>
    public const int RotationMessageFailed = 6101;

    /// <summary>A rotation queue message was moved to the poison queue.</summary>
    public const int RotationMessagePoisoned = 6102;

    /// <summary>The rotation queue could not be reached; backing off.</summary>
    public const int RotationQueueUnavailable = 6103;

    /// <summary>A message could not be moved to the poison queue; it will be delivered again.</summary>
    public const int RotationPoisonMoveFailed = 6104;
}
