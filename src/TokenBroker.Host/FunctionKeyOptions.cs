namespace TokenBroker.Host;

/// <summary>
/// The standalone host's stand-in for Azure's function keys, bound from <c>TokenBroker:Host</c>.
/// </summary>
public sealed class FunctionKeyOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:Host";

    /// <summary>
    /// The key callers send as <c>x-functions-key</c> (or <c>?code=</c>) to function-level routes.
    /// Required outside the Development environment.
    /// </summary>
    public string? ApiKey { get; set; }
}
