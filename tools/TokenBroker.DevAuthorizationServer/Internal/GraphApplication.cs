using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>A registered client as the Graph-compatible endpoint shows it: an Entra ID application.</summary>
/// <param name="ObjectId">Graph's <c>id</c>.</param>
/// <param name="AppId">Graph's <c>appId</c>: the client id.</param>
/// <param name="Owners">The client ids that may manage its credentials.</param>
internal sealed record GraphApplication(string ObjectId, string AppId, IReadOnlySet<string> Owners)
{
    public static GraphApplication From(DevClientRegistration client) => new(
        string.IsNullOrEmpty(client.ObjectId) ? DerivedObjectId(client.ClientId) : Guid.Parse(client.ObjectId).ToString("D"),
        client.ClientId,
        client.Owners.ToHashSet(StringComparer.Ordinal));

    // Stable across runs, so a local run's documentation and scripts can name it.
    private static string DerivedObjectId(string clientId) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("application:" + clientId)).AsSpan(0, 16)).ToString("D");
}
