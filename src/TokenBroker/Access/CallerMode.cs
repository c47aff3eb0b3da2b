namespace TokenBroker.Access;

/// <summary>How the broker learns who is calling.</summary>
public enum CallerMode
{
    /// <summary>An Entra ID (or any OIDC) access token in <c>Authorization: Bearer</c>, validated by the broker.</summary>
    Jwt,

    /// <summary>App Service Authentication validated the token in front; the broker trusts <c>X-MS-CLIENT-PRINCIPAL</c>.</summary>
    EasyAuth,

    /// <summary>No caller identity: the function key is the only gate and the access policy cannot apply.</summary>
    FunctionKeyOnly,

    /// <summary>Local runs without an identity provider: every caller may have everything. Refused outside Development.</summary>
    Development,
}
