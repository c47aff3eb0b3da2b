using System.Text;
using System.Text.Json;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Messaging.EventGrid.SystemEvents;

namespace TokenBroker.Rotation;

/// <summary>
/// Reads Key Vault secret and certificate events from a queue message in either schema Event Grid delivers (its own or CloudEvents 1.0), one
/// event or an array, as raw JSON or base64 (deliveries and trigger encodings differ, so both are accepted).
/// </summary>
internal static class SecretEventParser
{
    /// <exception cref="FormatException">The message is not an Event Grid or CloudEvents event.</exception>
    public static IReadOnlyList<SecretEvent> Parse(BinaryData message)
    {
        var json = Unwrap(message);
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException ex)
        {
            throw new FormatException("The message is not JSON.", ex);
        }

        var first = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().FirstOrDefault() : root;
        if (first.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The message holds no event object.");
        }

        try
        {
            return first.TryGetProperty("specversion", out _) ? FromCloudEvents(json) : FromEventGridEvents(json);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new FormatException("The message is not a valid Event Grid or CloudEvents event.", ex);
        }
    }

    private static List<SecretEvent> FromEventGridEvents(BinaryData json) =>
        [.. EventGridEvent.ParseMany(json)
            .Select(e => e.TryGetSystemEventData(out var data) ? Map(e.EventType, data) : null)
            .OfType<SecretEvent>()];

    private static List<SecretEvent> FromCloudEvents(BinaryData json) =>
        [.. CloudEvent.ParseMany(json)
            .Select(e => e.TryGetSystemEventData(out var data) ? Map(e.Type, data) : null)
            .OfType<SecretEvent>()];

    private static SecretEvent? Map(string type, object data) => data switch
    {
        KeyVaultSecretNewVersionCreatedEventData d => new SecretEvent(type, d.VaultName, d.ObjectName, d.Version, Expiry(d.Exp)),
        KeyVaultSecretNearExpiryEventData d => new SecretEvent(type, d.VaultName, d.ObjectName, d.Version, Expiry(d.Exp)),
        KeyVaultSecretExpiredEventData d => new SecretEvent(type, d.VaultName, d.ObjectName, d.Version, Expiry(d.Exp)),
        KeyVaultCertificateNewVersionCreatedEventData d => new SecretEvent(type, d.VaultName, d.ObjectName, d.Version, Expiry(d.Exp)),
        KeyVaultCertificateNearExpiryEventData d => new SecretEvent(type, d.VaultName, d.ObjectName, d.Version, Expiry(d.Exp)),
        KeyVaultCertificateExpiredEventData d => new SecretEvent(type, d.VaultName, d.ObjectName, d.Version, Expiry(d.Exp)),
        _ => null,
    };

    private static DateTimeOffset? Expiry(float? unixSeconds) =>
        unixSeconds is { } seconds && seconds > 0 ? DateTimeOffset.FromUnixTimeSeconds((long)seconds) : null;

    private static BinaryData Unwrap(BinaryData message)
    {
        var text = message.ToString().Trim();
        if (text.StartsWith('{') || text.StartsWith('['))
        {
            return BinaryData.FromString(text);
        }

        try
        {
            return BinaryData.FromString(Encoding.UTF8.GetString(Convert.FromBase64String(text)));
        }
        catch (FormatException ex)
        {
            throw new FormatException("The message is neither JSON nor base64-encoded JSON.", ex);
        }
    }
}
