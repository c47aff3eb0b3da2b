using TokenBroker.Rotation;

namespace TokenBroker.Tests.Rotation;

public sealed class CertificateEventTests
{
    private static BinaryData EventGrid(string type) => BinaryData.FromString($$"""
        [{
          "id": "{{Guid.NewGuid()}}",
          "topic": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/tb-vault",
          "subject": "payments-cert",
          "eventType": "{{type}}",
          "eventTime": "2026-11-25T12:00:00.0000000Z",
          "data": {
            "Id": "https://tb-vault.vault.azure.net/certificates/payments-cert/c2",
            "VaultName": "tb-vault",
            "ObjectType": "Certificate",
            "ObjectName": "payments-cert",
            "Version": "c2",
            "NBF": null,
            "EXP": 1798761600
          },
          "dataVersion": "1",
          "metadataVersion": "1"
        }]
        """);

    [Theory]
    [InlineData("Microsoft.KeyVault.CertificateNewVersionCreated")]
    [InlineData("Microsoft.KeyVault.CertificateNearExpiry")]
    [InlineData("Microsoft.KeyVault.CertificateExpired")]
    public void Certificate_events_are_read_like_secret_events(string type)
    {
        var parsed = Assert.Single(SecretEventParser.Parse(EventGrid(type)));

        Assert.Equal(type, parsed.Type);
        Assert.True(parsed.IsCertificate);
        Assert.Equal("payments-cert", parsed.SecretName);
        Assert.Equal("c2", parsed.Version);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1798761600), parsed.ExpiresOn);
    }
}
