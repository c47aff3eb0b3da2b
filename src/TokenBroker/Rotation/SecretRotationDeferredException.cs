namespace TokenBroker.Rotation;

/// <summary>Re-acquiring a connection's tokens after a secret event failed for a transient reason; the event should be delivered again.</summary>
internal sealed class SecretRotationDeferredException : Exception
{
    /// <summary>Creates the exception for <paramref name="connection"/>.</summary>
    public SecretRotationDeferredException(string connection)
        : base($"Re-acquiring the tokens of connection '{connection}' after a secret change failed transiently; the event will be retried.")
    {
        Connection = connection;
    }

    /// <summary>Creates the exception.</summary>
    public SecretRotationDeferredException()
        : this("(unknown)")
    {
    }

    /// <summary>Creates the exception.</summary>
    public SecretRotationDeferredException(string message, Exception innerException)
        : base(message, innerException)
    {
        Connection = "(unknown)";
    }

    /// <summary>The connection whose re-acquisition failed.</summary>
    public string Connection { get; }
}
