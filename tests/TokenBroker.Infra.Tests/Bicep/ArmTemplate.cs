using System.Text.Json;

namespace TokenBroker.Infra.Tests.Bicep;

/// <summary>
/// A template compiled by `bicep build`. Modules compile to nested deployments whose template is inlined,
/// so <see cref="Resources"/> walks into them. Values that depend on parameters stay ARM expressions
/// ("[parameters('x')]"); what a parameter file makes of them is in <see cref="DeploymentSnapshot"/>.
/// </summary>
internal sealed class ArmTemplate(string relativePath, JsonDocument document)
{
    public const string DeploymentType = "Microsoft.Resources/deployments";

    public string RelativePath { get; } = relativePath;

    public JsonElement Root => document.RootElement;

    public string Text => document.RootElement.GetRawText();

    /// <summary>Every resource declared, nested deployments' included, except `existing` references.</summary>
    public IEnumerable<JsonElement> Resources => Walk(Root).Where(r => !(r.TryGetProperty("existing", out var e) && e.GetBoolean()));

    /// <summary>Declared resources of one type (case-insensitive, as ARM compares types).</summary>
    public IReadOnlyList<JsonElement> OfType(string type) =>
        Resources.Where(r => string.Equals(r.StringAt("type"), type, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>The inlined template of the module deployed under a symbolic name (languageVersion 2.0).</summary>
    public JsonElement Module(string symbolicName) => Root.At($"resources.{symbolicName}.properties.template");

    private static IEnumerable<JsonElement> Walk(JsonElement template)
    {
        if (!template.TryGetProperty("resources", out var resources))
        {
            yield break;
        }

        // languageVersion 2.0 (user-defined types) keys resources by symbolic name; 1.0 lists them.
        var items = resources.ValueKind == JsonValueKind.Array
            ? resources.EnumerateArray().ToList()
            : resources.EnumerateObject().Select(p => p.Value).ToList();

        foreach (var resource in items)
        {
            yield return resource;
            if (resource.StringAt("type") == DeploymentType && resource.TryAt("properties.template", out var nested))
            {
                foreach (var inner in Walk(nested))
                {
                    yield return inner;
                }
            }
        }
    }
}
