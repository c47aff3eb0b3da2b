using TokenBroker.Infra.Tests.Bicep;

namespace TokenBroker.Infra.Tests;

[Collection(SharedBicepRun.Name)]
public sealed class EventGridTests(InfraFixture infra)
{
    private const string Topic = "Microsoft.EventGrid/systemTopics";
    private const string Subscription = "Microsoft.EventGrid/systemTopics/eventSubscriptions";

    [Fact]
    public void System_topic_publishes_the_key_vaults_events()
    {
        var snapshot = infra.Snapshot("main");
        var topic = snapshot.Single(Topic);

        Assert.Equal("Microsoft.KeyVault.vaults", topic.At("properties.topicType").GetString());
        Assert.Equal(snapshot.Single("Microsoft.KeyVault/vaults").At("id").GetString(), topic.At("properties.source").GetString());
        Assert.Equal("UserAssigned", topic.At("identity.type").GetString());
    }

    [Fact]
    public void Subscription_filters_exactly_the_three_secret_and_three_certificate_events()
    {
        var subscription = Assert.Single(infra.Main.OfType(Subscription));
        var types = infra.Snapshot("main").Single(Subscription).At("properties.filter.includedEventTypes").Strings();

        Assert.Equal(
            [
                "Microsoft.KeyVault.CertificateExpired",
                "Microsoft.KeyVault.CertificateNearExpiry",
                "Microsoft.KeyVault.CertificateNewVersionCreated",
                "Microsoft.KeyVault.SecretExpired",
                "Microsoft.KeyVault.SecretNearExpiry",
                "Microsoft.KeyVault.SecretNewVersionCreated",
            ],
            types.Order(StringComparer.Ordinal));
        Assert.Equal("[variables('keyVaultEventTypes')]", subscription.At("properties.filter.includedEventTypes").GetString());
    }

    [Fact]
    public void Subscription_delivers_to_the_rotation_queue_with_a_managed_identity()
    {
        var snapshot = infra.Snapshot("main");
        var delivery = snapshot.Single(Subscription).At("properties.deliveryWithResourceIdentity");

        Assert.Equal("StorageQueue", delivery.At("destination.endpointType").GetString());
        Assert.Equal("secret-rotation-events", delivery.At("destination.properties.queueName").GetString());
        Assert.Equal(snapshot.Single("Microsoft.Storage/storageAccounts").At("id").GetString(), delivery.At("destination.properties.resourceId").GetString());
        Assert.Equal("UserAssigned", delivery.At("identity.type").GetString());
        Assert.Contains("'eventGridIdentity", delivery.At("identity.userAssignedIdentity").GetString(), StringComparison.Ordinal);
        Assert.False(snapshot.Single(Subscription).Has("properties.destination"));
    }

    [Fact]
    public void Undeliverable_events_are_dead_lettered_with_the_identity_only_when_asked()
    {
        Assert.False(infra.Snapshot("main").Single(Subscription).Has("properties.deadLetterWithResourceIdentity"));

        var deadLetter = infra.Snapshot("locked-down").Single(Subscription).At("properties.deadLetterWithResourceIdentity");
        Assert.Equal("UserAssigned", deadLetter.At("identity.type").GetString());
        Assert.Equal("StorageBlob", deadLetter.At("deadLetterDestination.endpointType").GetString());
        Assert.Equal("eventgrid-deadletter", deadLetter.At("deadLetterDestination.properties.blobContainerName").GetString());
    }
}
