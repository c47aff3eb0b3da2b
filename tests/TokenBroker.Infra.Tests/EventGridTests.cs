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
        Assert.Equal("SystemAssigned", topic.At("identity.type").GetString());
    }

    /// <summary>
    /// "If a firewall or virtual network rule is configured for the Azure Storage account, you can use only the
    /// system-assigned managed identity if Allow Azure services on the trusted service list to access the storage account
    /// is also enabled on the storage account. You can't use user-assigned managed identity whether this option is
    /// enabled or not." (https://learn.microsoft.com/azure/event-grid/handler-storage-queues, Note). So wherever the
    /// storage firewall denies by default, delivery and dead-lettering must use the system topic's system-assigned
    /// identity and the account must admit trusted Azure services.
    /// </summary>
    [Theory]
    [InlineData("main")]
    [InlineData("locked-down")]
    [InlineData("elastic-premium")]
    [InlineData("redeployment")]
    public void Delivery_identity_suits_the_storage_firewall(string parameterFile)
    {
        var snapshot = infra.Snapshot(parameterFile);
        var account = snapshot.Single("Microsoft.Storage/storageAccounts");
        var subscription = snapshot.Single(Subscription);
        var firewalled = account.At("properties.networkAcls.defaultAction").GetString() == "Deny"
            || account.At("properties.publicNetworkAccess").GetString() == "Disabled";

        if (firewalled)
        {
            Assert.Equal("SystemAssigned", snapshot.Single(Topic).At("identity.type").GetString());
            Assert.Equal("SystemAssigned", subscription.At("properties.deliveryWithResourceIdentity.identity.type").GetString());
            Assert.Contains("AzureServices", account.At("properties.networkAcls.bypass").GetString(), StringComparison.Ordinal);
            if (subscription.Has("properties.deadLetterWithResourceIdentity"))
            {
                Assert.Equal("SystemAssigned", subscription.At("properties.deadLetterWithResourceIdentity.identity.type").GetString());
            }
        }

        Assert.False(subscription.Has("properties.deliveryWithResourceIdentity.identity.userAssignedIdentity"));
    }

    [Fact]
    public void The_locked_down_deployment_denies_storage_by_default_and_still_delivers_rotation_events()
    {
        var snapshot = infra.Snapshot("locked-down");

        Assert.Equal("Deny", snapshot.Single("Microsoft.Storage/storageAccounts").At("properties.networkAcls.defaultAction").GetString());
        Assert.Equal("SystemAssigned", snapshot.Single(Subscription).At("properties.deliveryWithResourceIdentity.identity.type").GetString());
        Assert.Contains(
            snapshot.RoleAssignments,
            a => a.Holder == "eventGrid" && a.RoleDefinitionId == BuiltInRoles.StorageQueueDataMessageSender.Id && a.Scope.EndsWith("/queues/secret-rotation-events", StringComparison.Ordinal));
        Assert.Contains(
            snapshot.RoleAssignments,
            a => a.Holder == "eventGrid" && a.RoleDefinitionId == BuiltInRoles.StorageBlobDataContributor.Id && a.Scope.EndsWith("/containers/eventgrid-deadletter", StringComparison.Ordinal));
    }

    [Fact]
    public void The_subscription_is_created_after_the_topic_identity_may_write_to_the_queue()
    {
        var subscription = Assert.Single(infra.Templates["modules/event-grid.bicep"].OfType(Subscription));

        Assert.Contains("topicSendsRotationEvents", subscription.At("dependsOn").Strings());
        Assert.Contains("topicDeadLetters", subscription.At("dependsOn").Strings());
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
        Assert.Equal("SystemAssigned", delivery.At("identity.type").GetString());
        Assert.False(snapshot.Single(Subscription).Has("properties.destination"));
    }

    [Fact]
    public void Undeliverable_events_are_dead_lettered_with_the_identity_only_when_asked()
    {
        Assert.False(infra.Snapshot("main").Single(Subscription).Has("properties.deadLetterWithResourceIdentity"));

        var deadLetter = infra.Snapshot("locked-down").Single(Subscription).At("properties.deadLetterWithResourceIdentity");
        Assert.Equal("SystemAssigned", deadLetter.At("identity.type").GetString());
        Assert.Equal("StorageBlob", deadLetter.At("deadLetterDestination.endpointType").GetString());
        Assert.Equal("eventgrid-deadletter", deadLetter.At("deadLetterDestination.properties.blobContainerName").GetString());
    }
}
