using Microsoft.Azure.Functions.Worker;

namespace TokenBroker.Host;

/// <summary>Endpoint metadata naming the function a route runs and the authorization level Azure would apply to it.</summary>
/// <param name="FunctionName">The function's name, as in functions.metadata.</param>
/// <param name="Level">The function's authorization level.</param>
public sealed record FunctionRoute(string FunctionName, AuthorizationLevel Level);
