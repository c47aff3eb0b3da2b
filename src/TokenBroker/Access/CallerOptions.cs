namespace TokenBroker.Access;

/// <summary>Caller identity, bound from <c>TokenBroker:Callers</c>.</summary>
internal sealed class CallerOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:Callers";

    /// <summary>
    /// How callers are identified. When unset: <see cref="CallerMode.Jwt"/> if <see cref="Authority"/> is set,
    /// else <see cref="CallerMode.Development"/> in the Development environment; anywhere else it must be chosen.
    /// </summary>
    public CallerMode? Mode { get; set; }

    /// <summary>The OIDC authority whose tokens callers present, e.g. <c>https://login.microsoftonline.com/{tenant}/v2.0</c>.</summary>
    public Uri? Authority { get; set; }

    /// <summary>The audience caller tokens must be issued for: the broker's app id URI or client id.</summary>
    public string? Audience { get; set; }

    /// <summary>Tolerated clock difference when checking a caller token's lifetime.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long one fetch of the authority's OIDC metadata or signing keys may take. A caller whose token cannot be
    /// checked waits at most this long before it is told to try again (503).
    /// </summary>
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a caller told to try again because the authority's metadata is unavailable is asked to wait.</summary>
    public TimeSpan MetadataRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The app role that grants the operations endpoints.</summary>
    public string AdminRole { get; set; } = "TokenBroker.Admin";

    /// <summary>The mode in force, after defaults.</summary>
    public CallerMode EffectiveMode(bool isDevelopment) =>
        Mode ?? (Authority is not null ? CallerMode.Jwt : isDevelopment ? CallerMode.Development : CallerMode.Jwt);
}
