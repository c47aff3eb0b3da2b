using System.Net.Http.Json;

namespace TokenBroker.Client.Internal;

/// <summary>
/// Which request bodies can be sent a second time after a 401. The handler does not buffer bodies to make them so: a large
/// upload would be held in memory for every request just in case, and a stream meant to be read once would be read early.
/// </summary>
internal static class ReplayableContent
{
    /// <summary>
    /// True for no body and for bodies that serialize from values they keep: bytes and strings (<see cref="ByteArrayContent"/>,
    /// so <see cref="StringContent"/> and <see cref="FormUrlEncodedContent"/> too), <see cref="ReadOnlyMemoryContent"/>,
    /// <see cref="JsonContent"/>, and multipart bodies made only of those. False for streams and anything unknown.
    /// </summary>
    public static bool CanResend(HttpContent? content) => content switch
    {
        null or ByteArrayContent or ReadOnlyMemoryContent or JsonContent => true,
        MultipartContent parts => parts.All(CanResend),
        _ => false,
    };
}
