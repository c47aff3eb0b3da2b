using System.Text.Json.Nodes;

namespace TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

/// <summary>
/// The host.json settings the stand-in honours, read as the host reads them: the file, then any app setting
/// <c>AzureFunctionsJobHost__path__to__setting</c> over it (the documented way to override host.json per app).
/// </summary>
public sealed record HostJson(string RoutePrefix, int MaxDequeueCount, TimeSpan VisibilityTimeout, string MessageEncoding)
{
    private const string OverridePrefix = "AzureFunctionsJobHost:";

    public static HostJson Read(string path, IReadOnlyDictionary<string, string?> settings)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        string? Value(string key)
        {
            var setting = settings.FirstOrDefault(s => string.Equals(s.Key.Replace("__", ":", StringComparison.Ordinal), OverridePrefix + key, StringComparison.OrdinalIgnoreCase));
            if (setting.Key is not null)
            {
                return setting.Value;
            }

            JsonNode? node = root;
            foreach (var part in key.Split(':'))
            {
                node = node?[part];
            }

            return node?.ToString();
        }

        return new HostJson(
            Value("extensions:http:routePrefix") ?? "api",
            int.Parse(Value("extensions:queues:maxDequeueCount") ?? "5", System.Globalization.CultureInfo.InvariantCulture),
            TimeSpan.Parse(Value("extensions:queues:visibilityTimeout") ?? "00:00:00", System.Globalization.CultureInfo.InvariantCulture),
            Value("extensions:queues:messageEncoding") ?? "base64");
    }
}
