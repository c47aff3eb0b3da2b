namespace TokenBroker.Access;

/// <summary>
/// One entry of <c>TokenBroker:Access:Rules</c>: a caller, named by exactly one of application id, object id or app role,
/// and the connections (with scopes) it may obtain.
/// </summary>
internal sealed class AccessRule
{
    /// <summary>The calling application's client id (the token's <c>azp</c> or <c>appid</c>).</summary>
    public string? AppId { get; set; }

    /// <summary>The calling identity's object id (the token's <c>oid</c>), e.g. a managed identity.</summary>
    public string? ObjectId { get; set; }

    /// <summary>An app role granted to the caller (the token's <c>roles</c>).</summary>
    public string? Role { get; set; }

    /// <summary>Connection name → the space-separated scopes allowed, or <c>*</c> for all of the connection's allowed scopes.</summary>
    public Dictionary<string, string> Connections { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}
