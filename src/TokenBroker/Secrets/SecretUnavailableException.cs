using TokenBroker.Credentials;

namespace TokenBroker.Secrets;

/// <summary>A secret could not be read. The message names the secret and the reason, never a value.</summary>
internal sealed class SecretUnavailableException : ClientCredentialUnavailableException
{
    /// <summary>Creates the exception.</summary>
    public SecretUnavailableException(string secretName, string reason, Exception? innerException = null)
        : base("secret", secretName, reason, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SecretUnavailableException()
        : this("(unknown)", "unavailable")
    {
    }

    /// <summary>Creates the exception.</summary>
    public SecretUnavailableException(string message)
        : this("(unknown)", message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SecretUnavailableException(string message, Exception innerException)
        : this("(unknown)", message, innerException)
    {
    }

    /// <summary>The secret's name.</summary>
    public string SecretName => CredentialName;

    /// <summary>
    /// True when the vault could not give an answer (unreachable, throttling, access denied, an unreadable reply); false
    /// when it answered that the secret is missing, disabled or empty. The first says nothing about the secret itself.
    /// </summary>
    public bool IsVaultFailure => InnerException is not null and not Azure.RequestFailedException { Status: 404 };
}
