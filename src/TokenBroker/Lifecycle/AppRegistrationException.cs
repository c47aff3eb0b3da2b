namespace TokenBroker.Lifecycle;

/// <summary>
/// A Graph call about an app registration failed. The message names the operation, the application, the status and
/// Graph's error code; never a secret, a proof or Graph's free-text message.
/// </summary>
internal sealed class AppRegistrationException : Exception
{
    public AppRegistrationException(string operation, string appId, AppRegistrationError error, int? status, string? graphCode, Exception? innerException = null)
        : base($"Graph {operation} on application '{appId}' failed: {error}{(status is { } s ? $" ({s}{(graphCode is null ? string.Empty : " " + graphCode)})" : string.Empty)}.", innerException)
    {
        Operation = operation;
        AppId = appId;
        Error = error;
        Status = status;
        GraphCode = graphCode;
    }

    public AppRegistrationException()
        : this("call", "(unknown)", AppRegistrationError.Unavailable, null, null)
    {
    }

    public AppRegistrationException(string message)
        : base(message)
    {
        Operation = "call";
        AppId = "(unknown)";
    }

    public AppRegistrationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = "call";
        AppId = "(unknown)";
    }

    /// <summary>The operation: get, addPassword, removePassword, addKey or removeKey.</summary>
    public string Operation { get; }

    /// <summary>The application (client) id.</summary>
    public string AppId { get; }

    /// <summary>What went wrong.</summary>
    public AppRegistrationError Error { get; }

    /// <summary>The HTTP status Graph answered with, if it answered.</summary>
    public int? Status { get; }

    /// <summary>Graph's error code (<c>Authorization_RequestDenied</c> …), if it sent one.</summary>
    public string? GraphCode { get; }

    /// <summary>Whether trying again later may succeed.</summary>
    public bool IsTransient => Error == AppRegistrationError.Unavailable;
}
