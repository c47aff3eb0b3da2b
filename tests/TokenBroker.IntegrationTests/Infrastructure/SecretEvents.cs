using System.Text;

namespace TokenBroker.IntegrationTests.Infrastructure;

/// <summary>Key Vault events as Event Grid delivers them to a storage queue, in both schemas.</summary>
public static class SecretEvents
{
    /// <summary>A new secret version in <paramref name="vault"/>: the vault's name, or its host where it has no name (loopback).</summary>
    public static BinaryData NewVersion(string secret, string version, string vault = "vault") =>
        EventGrid("Microsoft.KeyVault.SecretNewVersionCreated", secret, version, null, vault);

    public static BinaryData EventGrid(string type, string secret, string version, long? exp, string vault = "vault") => BinaryData.FromString($$"""
        [{
          "id": "{{Guid.NewGuid()}}",
          "topic": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/{{vault}}",
          "subject": "{{secret}}",
          "eventType": "{{type}}",
          "eventTime": "2026-11-25T12:00:00.0000000Z",
          "data": {{Data(secret, version, exp, vault)}},
          "dataVersion": "1",
          "metadataVersion": "1"
        }]
        """);

    public static BinaryData CloudEvent(string type, string secret, string version, long? exp, string vault = "vault") => BinaryData.FromString($$"""
        {
          "specversion": "1.0",
          "id": "{{Guid.NewGuid()}}",
          "source": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/{{vault}}",
          "type": "{{type}}",
          "subject": "{{secret}}",
          "time": "2026-11-25T12:00:00.0000000Z",
          "datacontenttype": "application/json",
          "data": {{Data(secret, version, exp, vault)}}
        }
        """);

    // The data object of Key Vault's secret events, the same in both schemas.
    private static string Data(string secret, string version, long? exp, string vault) => $$"""
        {
            "Id": "https://{{vault}}.vault.azure.net/secrets/{{secret}}/{{version}}",
            "VaultName": "{{vault}}",
            "ObjectType": "Secret",
            "ObjectName": "{{secret}}",
            "Version": "{{version}}",
            "NBF": null,
            "EXP": {{(exp is null ? "null" : exp.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}}
          }
        """;

    public static BinaryData Base64(BinaryData message) => BinaryData.FromString(Convert.ToBase64String(Encoding.UTF8.GetBytes(message.ToString())));
}
