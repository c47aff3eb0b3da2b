namespace TokenBroker.Lifecycle.Rotation;

/// <summary>A rotation step that could not complete now, with the stable code the row and the listing show.</summary>
internal sealed class RotationStepException : Exception
{
    public RotationStepException(string code, string message)
        : base(message) => Code = code;

    public RotationStepException()
        : this("failed", "The rotation step failed.")
    {
    }

    public RotationStepException(string message)
        : this("failed", message)
    {
    }

    public RotationStepException(string message, Exception innerException)
        : base(message, innerException) => Code = "failed";

    /// <summary>The stable error code.</summary>
    public string Code { get; }
}
