namespace TokenBroker.Lifecycle;

/// <summary>The tags the broker puts on the Key Vault versions it writes, so each can be matched with its other half.</summary>
internal static class VaultTags
{
    /// <summary>The <c>keyId</c> of the Graph credential the version holds: how a vault version and an app credential correlate.</summary>
    public const string GraphKeyId = "graph-key-id";

    /// <summary>The id of the rotation that wrote the version, so a resumed step recognises its own earlier write.</summary>
    public const string Rotation = "tokenbroker-rotation";
}
