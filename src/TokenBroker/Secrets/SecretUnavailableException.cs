namespace TokenBroker.Secrets;

/// <summary>A secret could not be read. The message names the secret and the reason, never a value.</summary>
public sealed class SecretUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SecretUnavailableException(string secretName, string reason, Exception? innerException = null)
        : base($"Secret '{secretName}' is unavailable: {reason}", innerException)
    {
        SecretName = secretName;
        Reason = reason;
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
    public string SecretName { get; }

    /// <summary>Why it could not be read.</summary>
    public string Reason { get; }
}
