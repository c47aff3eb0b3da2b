// Key Vault secret and certificate events into the broker's rotation queue: a system topic on
// the vault with a system-assigned identity, that identity's roles on the queue (and the
// dead-letter container), and one subscription that delivers with it (no queue keys, no SAS).
//
// Why system-assigned: Event Grid delivers to a storage account behind a firewall or virtual
// network rules only with the system topic's system-assigned identity and the account's
// trusted-services exception; a user-assigned identity is refused there
// (https://learn.microsoft.com/azure/event-grid/handler-storage-queues). It works without a
// firewall too, so there is one configuration.

import { builtInRoles } from 'roles.bicep'

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
  type: 'SystemAssigned'
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deadLetterContainer 'containers' existing = if (!empty(deadLetterContainerName)) {
      name: deadLetterContainerName
    }
  }

  resource queueService 'queueServices' existing = {
    name: 'default'

    resource rotationQueue 'queues' existing = {
      name: queueName
    }
  }
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: vault.id
    topicType: 'Microsoft.KeyVault.vaults'
  }
}

// Event Grid delivers Key Vault events into the rotation queue and nowhere else.
resource topicSendsRotationEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::rotationQueue.id, topic.id, builtInRoles.storageQueueDataMessageSender)
  scope: storage::queueService::rotationQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageQueueDataMessageSender)
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
    description: 'Event Grid delivers Key Vault secret and certificate events.'
  }
}

resource topicDeadLetters 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deadLetterContainerName)) {
  name: guid(storage::blobService::deadLetterContainer.id, topic.id, builtInRoles.storageBlobDataContributor)
  scope: storage::blobService::deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataContributor)
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
    description: 'Event Grid dead-letters undeliverable Key Vault events.'
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
  // Event Grid checks it may write to the queue when the subscription is created.
  dependsOn: [
    topicSendsRotationEvents
    topicDeadLetters
  ]
}

@description('Name of the system topic.')
output name string = topic.name

@description('Resource id of the system topic.')
output id string = topic.id

@description('Principal id of the system topic\'s system-assigned identity (Event Grid delivers as it).')
output principalId string = topic.identity.principalId
