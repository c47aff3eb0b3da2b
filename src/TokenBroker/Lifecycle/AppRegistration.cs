namespace TokenBroker.Lifecycle;

/// <summary>An Entra ID app registration's credentials as Graph lists them.</summary>
/// <param name="AppId">The application (client) id.</param>
/// <param name="ObjectId">The application object's id: Graph addresses changes by it, and an addKey proof names it.</param>
/// <param name="Secrets">Its password credentials (client secrets).</param>
/// <param name="Keys">Its key credentials (certificates).</param>
internal sealed record AppRegistration(string AppId, string ObjectId, IReadOnlyList<RegisteredSecret> Secrets, IReadOnlyList<RegisteredKey> Keys);
