namespace TokenBroker.DevAuthorizationServer;

/// <summary>How a token request carried the client's credentials.</summary>
public enum ClientAuthenticationStyle
{
    /// <summary>No client secret or assertion was presented.</summary>
    None,

    /// <summary><c>client_secret_basic</c>: an HTTP <c>Authorization: Basic</c> header.</summary>
    Basic,

    /// <summary><c>client_secret_post</c>: <c>client_id</c> and <c>client_secret</c> in the form body.</summary>
    Post,

    /// <summary>A JWT client assertion (<c>private_key_jwt</c>, or a federated token) in <c>client_assertion</c>.</summary>
    Assertion,
}
