using Azure;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>The answer to a claim of an inventory slice: won (with the run row's ETag, to release it), or lost (with when to ask again, if known).</summary>
/// <param name="Claimed">Whether this instance holds the slice.</param>
/// <param name="ETag">The run row's ETag after the claim.</param>
/// <param name="AskAgainOn">When a lost claim is worth asking again: the other holder's hold ends, or the next slice is due.</param>
internal sealed record InventoryClaim(bool Claimed, ETag? ETag, DateTimeOffset? AskAgainOn)
{
    public static InventoryClaim Won(ETag? etag) => new(true, etag, null);

    public static InventoryClaim Lost(DateTimeOffset? askAgainOn) => new(false, null, askAgainOn);
}
