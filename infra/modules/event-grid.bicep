// Key Vault secret and certificate events into the broker's rotation queue: a system topic on the vault and
// one subscription that delivers with a managed identity (no queue keys, no SAS).

@description('Required. Name of the system topic.')
param name string

@description('Required. Azure region of the vault.')
param location string

@description('Optional. Tags for the topic.')
param tags { *: string } = {}

@description('Required. Vault whose secret events are published.')
param keyVaultName string

@description('Required. Storage account holding the rotation queue.')
param storageAccountName string

@description('Required. Queue the SecretRotationEvents function reads.')
param queueName string

@description('Required. Resource id of the user-assigned identity Event Grid delivers with.')
param deliveryIdentityId string

@description('Optional. Container for events that could not be delivered within the retry policy; empty turns dead-lettering off.')
param deadLetterContainerName string = ''

// Exactly the events that change which secret or certificate version the broker should use
// (a certificate's new version also creates a version of its secret; the broker handles either).
var keyVaultEventTypes = [
  'Microsoft.KeyVault.SecretNewVersionCreated'
  'Microsoft.KeyVault.SecretNearExpiry'
  'Microsoft.KeyVault.SecretExpired'
  'Microsoft.KeyVault.CertificateNewVersionCreated'
  'Microsoft.KeyVault.CertificateNearExpiry'
  'Microsoft.KeyVault.CertificateExpired'
]

var deliveryIdentity = {
  type: 'UserAssigned'
  userAssignedIdentity: deliveryIdentityId
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${deliveryIdentityId}': {}
    }
  }
  properties: {
    source: vault.id
    topicType: 'Microsoft.KeyVault.vaults'
  }
}

resource toRotationQueue 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'secret-rotation-to-queue'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: keyVaultEventTypes
    }
    deliveryWithResourceIdentity: {
      identity: deliveryIdentity
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storage.id
          queueName: queueName
          queueMessageTimeToLiveInSeconds: 604800
        }
      }
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: empty(deadLetterContainerName)
      ? null
      : {
          identity: deliveryIdentity
          deadLetterDestination: {
            endpointType: 'StorageBlob'
            properties: {
              resourceId: storage.id
              blobContainerName: deadLetterContainerName
            }
          }
        }
  }
}

@description('Name of the system topic.')
output name string = topic.name
