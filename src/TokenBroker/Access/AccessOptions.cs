namespace TokenBroker.Access;

/// <summary>The access policy, bound from <c>TokenBroker:Access</c>. Default deny: a caller no rule names gets nothing.</summary>
internal sealed class AccessOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:Access";

    /// <summary>The rules; a caller matching several gets the union.</summary>
    public List<AccessRule> Rules { get; init; } = [];
}
