namespace TokenBroker.Lifecycle.Rotation;

/// <summary>How the rotation runner paces itself (<c>TokenBroker:Lifecycle:Rotation</c>).</summary>
internal sealed class RotationOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "TokenBroker:Lifecycle:Rotation";

    /// <summary>The first wait after a step fails (a probe refused while Entra propagates, Graph 403, Key Vault refusing); it doubles per failure.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest wait between two attempts of a failing step.</summary>
    public TimeSpan MaxRetryInterval { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often a connection not being rotated is checked for a credential coming due (a Key Vault and a Graph read).</summary>
    public TimeSpan DueCheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one refresh run may spend advancing rotations; the rest waits for the next run.</summary>
    public TimeSpan MaxRunTime { get; set; } = TimeSpan.FromSeconds(45);
}
