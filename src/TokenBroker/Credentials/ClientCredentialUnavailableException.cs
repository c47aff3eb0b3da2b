namespace TokenBroker.Credentials;

/// <summary>A client credential could not be obtained. The message names the credential and the reason, never a value.</summary>
internal class ClientCredentialUnavailableException : Exception
{
    /// <summary>Creates the exception for the <paramref name="kind"/> of credential (secret, certificate…) named <paramref name="name"/>.</summary>
    public ClientCredentialUnavailableException(string kind, string name, string reason, Exception? innerException = null)
        : base($"{Capitalized(kind)} '{name}' is unavailable: {reason}", innerException)
    {
        Kind = kind;
        CredentialName = name;
        Reason = reason;
    }

    /// <summary>Creates the exception.</summary>
    public ClientCredentialUnavailableException()
        : this("credential", "(unknown)", "unavailable")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ClientCredentialUnavailableException(string message)
        : this("credential", "(unknown)", message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ClientCredentialUnavailableException(string message, Exception innerException)
        : this("credential", "(unknown)", message, innerException)
    {
    }

    /// <summary>What kind of credential it is: <c>secret</c>, <c>certificate</c> or <c>federated credential</c>.</summary>
    public string Kind { get; }

    /// <summary>The credential's name: the secret or certificate name, or the federation audience.</summary>
    public string CredentialName { get; }

    /// <summary>Why it could not be obtained.</summary>
    public string Reason { get; }

    private static string Capitalized(string kind) =>
        string.IsNullOrEmpty(kind) ? "Credential" : string.Concat(char.ToUpperInvariant(kind[0]).ToString(), kind.AsSpan(1));
}
