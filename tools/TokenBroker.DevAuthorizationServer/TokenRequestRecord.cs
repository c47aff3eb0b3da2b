namespace TokenBroker.DevAuthorizationServer;

/// <summary>One request that reached the token endpoint, accepted or rejected. Never holds the secret.</summary>
/// <param name="ClientId">The client id the request named, if it named one.</param>
/// <param name="Scope">The space-separated scopes requested, if any.</param>
/// <param name="AuthenticationStyle">Where the client's credentials were carried.</param>
/// <param name="StatusCode">The HTTP status code of the response.</param>
/// <param name="Error">The OAuth error code of a rejected request (such as <c>invalid_client</c>).</param>
/// <param name="ReceivedAt">When the request arrived, in UTC.</param>
public sealed record TokenRequestRecord(
    string? ClientId,
    string? Scope,
    ClientAuthenticationStyle AuthenticationStyle,
    int StatusCode,
    string? Error,
    DateTimeOffset ReceivedAt)
{
    /// <summary>Whether a token was issued.</summary>
    public bool Succeeded => StatusCode == StatusCodes.Status200OK;
}
