using System.Text.Json;

namespace TokenBroker.Infra.Tests.Bicep;

internal static class JsonElementExtensions
{
    /// <summary>The value at a dotted property path ("properties.siteConfig.minTlsVersion"); fails naming the path.</summary>
    public static JsonElement At(this JsonElement element, string path) =>
        element.TryAt(path, out var value)
            ? value
            : throw new KeyNotFoundException($"'{path}' not found in {Shorten(element.GetRawText())}");

    public static bool TryAt(this JsonElement element, string path, out JsonElement value)
    {
        value = element;
        foreach (var name in path.Split('.'))
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value))
            {
                value = default;
                return false;
            }
        }

        return true;
    }

    public static string? StringAt(this JsonElement element, string path) =>
        element.TryAt(path, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool Has(this JsonElement element, string path) =>
        element.TryAt(path, out var value) && value.ValueKind != JsonValueKind.Null;

    public static IReadOnlyList<string> Strings(this JsonElement array) =>
        array.EnumerateArray().Select(item => item.GetString() ?? string.Empty).ToList();

    private static string Shorten(string json) => json.Length <= 400 ? json : json[..400] + "…";
}
