using System.Text.Json;
using System.Text.RegularExpressions;

namespace TokenBroker.Infra.Tests.Bicep;

/// <summary>
/// What `bicep snapshot` predicts a deployment of main.bicep with one parameter file creates: the
/// resources of every module, flattened, with parameters, variables, loops, conditions and
/// deterministic functions (uniqueString, guid, resourceId) evaluated. Values only known once a
/// resource exists (a principal id, an endpoint) stay expressions.
/// </summary>
internal sealed partial class DeploymentSnapshot(JsonDocument document)
{
    public JsonElement Root => document.RootElement;

    public string Text => document.RootElement.GetRawText();

    public IReadOnlyList<JsonElement> Resources => Root.At("predictedResources").EnumerateArray().ToList();

    public IReadOnlyList<JsonElement> OfType(string type) =>
        Resources.Where(r => string.Equals(r.StringAt("type"), type, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>The one resource of a type (whose name ends with a suffix, when given).</summary>
    public JsonElement Single(string type, string? nameSuffix = null)
    {
        var matches = OfType(type)
            .Where(r => nameSuffix is null || (r.StringAt("name") ?? string.Empty).EndsWith(nameSuffix, StringComparison.Ordinal))
            .ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new InvalidOperationException($"Expected one {type} named *{nameSuffix}, found {matches.Count}.");
    }

    public IReadOnlyDictionary<string, string?> AppSettings =>
        Single("Microsoft.Web/sites/config", "/appsettings").At("properties").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText());

    public IReadOnlyList<RoleAssignment> RoleAssignments =>
        OfType("Microsoft.Authorization/roleAssignments").Select(r => new RoleAssignment(
            r.At("properties.roleDefinitionId").GetString()!.Split('/')[^1],
            ScopeOf(r.At("id").GetString()!),
            r.At("properties.principalId").GetString()!,
            r.StringAt("properties.principalType"),
            r.At("name").GetString()!)).ToList();

    // An assignment whose name waits on a principal id keeps an extensionResourceId('<scope>', ...)
    // expression as its id; one with every input known has the evaluated id.
    private static string ScopeOf(string id)
    {
        var expression = ExtensionResourceScope().Match(id);
        if (expression.Success)
        {
            return expression.Groups["scope"].Value;
        }

        var marker = id.IndexOf("/providers/Microsoft.Authorization/roleAssignments/", StringComparison.OrdinalIgnoreCase);
        return marker > 0 ? id[..marker] : throw new FormatException($"Cannot find the scope in role assignment id {id}.");
    }

    [GeneratedRegex(@"^\[extensionResourceId\('(?<scope>[^']+)', 'Microsoft\.Authorization/roleAssignments'")]
    private static partial Regex ExtensionResourceScope();
}
