namespace TokenBroker.Lifecycle;

/// <summary>
/// Where and how the broker reaches Microsoft Graph to manage its connections' app registrations, bound from
/// <c>TokenBroker:Lifecycle:Graph</c>. The defaults are the global cloud's.
/// </summary>
internal sealed class GraphOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "TokenBroker:Lifecycle:Graph";

    /// <summary>Graph's v1.0 endpoint; a national cloud has its own (<c>https://graph.microsoft.us/v1.0</c> …).</summary>
    public Uri BaseUrl { get; set; } = new("https://graph.microsoft.com/v1.0");

    /// <summary>The scope the broker's managed identity asks a token for: Graph's application permissions.</summary>
    public string Scope { get; set; } = "https://graph.microsoft.com/.default";

    /// <summary>How long one Graph call may take, retries included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
