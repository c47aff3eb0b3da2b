// Every role assignment of the deployment, each scoped to the single resource it is about
// (a vault, a container, a queue, a table, a component) and named
// guid(scope, principal, role) so a redeployment finds the same assignment again.

@description('Required. Storage account holding the containers, queues and table below.')
param storageAccountName string

@description('Required. Key Vault holding the connection secrets.')
param keyVaultName string

@description('Required. Application Insights component the broker sends telemetry to.')
param applicationInsightsName string

@description('Required. Principal id of the broker\'s user-assigned identity.')
param brokerPrincipalId string

@description('Required. Principal id of the identity Event Grid delivers with.')
param eventGridPrincipalId string

@description('Required. Containers the Functions runtime owns: the deployment package and the host\'s own containers.')
param runtimeContainerNames string[]

@description('Required. Name of the token cache table.')
param tokenCacheTableName string

@description('Required. Name of the queue the SecretRotationEvents function reads.')
param rotationQueueName string

@description('Required. Name of that queue\'s poison queue.')
param poisonQueueName string

@description('Optional. Container Event Grid dead-letters undeliverable events into; empty when dead-lettering is off.')
param deadLetterContainerName string = ''

@description('Optional. Principal (user or group) allowed to write connection secrets; empty for none.')
param vaultOperatorPrincipalId string = ''

@description('Optional. Whether a connection signs client assertions with a Key Vault certificate (private_key_jwt).')
param brokerReadsCertificates bool = false

// Built-in role definition ids, by the role's name. Nothing broader than these is granted.
var roleIds = {
  'Key Vault Certificate User': 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba'
  'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6'
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb'
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f4d4fb5c2e2'
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  'Storage Queue Data Message Processor': '8a0f0c08-91a1-4084-bc3d-661d67233fed'
  'Storage Queue Data Message Sender': 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  'Storage Queue Data Reader': '19e7f393-937e-4f77-808e-94535e297925'
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource runtimeContainers 'containers' existing = [
      for containerName in runtimeContainerNames: {
        name: containerName
      }
    ]

    resource deadLetterContainer 'containers' existing = if (!empty(deadLetterContainerName)) {
      name: deadLetterContainerName
    }
  }

  resource queueService 'queueServices' existing = {
    name: 'default'

    resource rotationQueue 'queues' existing = {
      name: rotationQueueName
    }

    resource poisonQueue 'queues' existing = {
      name: poisonQueueName
    }
  }

  resource tableService 'tableServices' existing = {
    name: 'default'

    resource tokenCacheTable 'tables' existing = {
      name: tokenCacheTableName
    }
  }
}

// The broker reads connection secrets and lists their versions (get/list only).
resource brokerReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, brokerPrincipalId, roleIds['Key Vault Secrets User'])
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds['Key Vault Secrets User']
    )
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'TokenBroker reads connection secrets and their versions.'
  }
}

// private_key_jwt: the broker reads certificates and their versions, and their keys through
// the secret of the same name. Only when a connection uses it.
resource brokerReadsCertificatesAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (brokerReadsCertificates) {
  name: guid(vault.id, brokerPrincipalId, roleIds['Key Vault Certificate User'])
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds['Key Vault Certificate User']
    )
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'TokenBroker reads the certificates that sign private_key_jwt client assertions.'
  }
}

// The broker's token cache: one table, read and written.
resource brokerUsesTokenCache 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::tableService::tokenCacheTable.id, brokerPrincipalId, roleIds['Storage Table Data Contributor'])
  scope: storage::tableService::tokenCacheTable
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds['Storage Table Data Contributor']
    )
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'TokenBroker reads and writes its token cache table.'
  }
}

// The queue trigger: queue properties (for scaling) ...
resource brokerReadsRotationQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::rotationQueue.id, brokerPrincipalId, roleIds['Storage Queue Data Reader'])
  scope: storage::queueService::rotationQueue
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds['Storage Queue Data Reader']
    )
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Functions queue trigger reads the rotation-events queue\'s properties.'
  }
}

// ... and receiving and deleting the messages.
resource brokerProcessesRotationQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(
    storage::queueService::rotationQueue.id,
    brokerPrincipalId,
    roleIds['Storage Queue Data Message Processor']
  )
  scope: storage::queueService::rotationQueue
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds['Storage Queue Data Message Processor']
    )
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Functions queue trigger receives and deletes rotation events.'
  }
}

// The runtime moves a message that failed maxDequeueCount times to the poison queue; it
// creates that queue if missing, which needs more than Message Sender.
resource brokerWritesPoisonQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::poisonQueue.id, brokerPrincipalId, roleIds['Storage Queue Data Contributor'])
  scope: storage::queueService::poisonQueue
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds['Storage Queue Data Contributor']
    )
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Functions runtime moves poison rotation events aside.'
  }
}

// The Functions runtime (AzureWebJobsStorage): host locks, keys and the deployment package.
resource runtimeOwnsContainers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in runtimeContainerNames: {
    name: guid(storage::blobService::runtimeContainers[i].id, brokerPrincipalId, roleIds['Storage Blob Data Owner'])
    scope: storage::blobService::runtimeContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId(
        'Microsoft.Authorization/roleDefinitions',
        roleIds['Storage Blob Data Owner']
      )
      principalId: brokerPrincipalId
      principalType: 'ServicePrincipal'
      description: 'Functions runtime uses container ${containerName}.'
    }
  }
]

// Telemetry with an Entra token (Application Insights local auth is off).
resource brokerPublishesTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, brokerPrincipalId, roleIds['Monitoring Metrics Publisher'])
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds['Monitoring Metrics Publisher']
    )
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'TokenBroker sends telemetry with its managed identity.'
  }
}

// Event Grid delivers Key Vault events into the rotation queue and nowhere else.
resource eventGridSendsRotationEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(
    storage::queueService::rotationQueue.id,
    eventGridPrincipalId,
    roleIds['Storage Queue Data Message Sender']
  )
  scope: storage::queueService::rotationQueue
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds['Storage Queue Data Message Sender']
    )
    principalId: eventGridPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Event Grid delivers Key Vault secret events.'
  }
}

resource eventGridDeadLetters 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deadLetterContainerName)) {
  name: guid(
    storage::blobService::deadLetterContainer.id,
    eventGridPrincipalId,
    roleIds['Storage Blob Data Contributor']
  )
  scope: storage::blobService::deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds['Storage Blob Data Contributor']
    )
    principalId: eventGridPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Event Grid dead-letters undeliverable Key Vault events.'
  }
}

// Operators who store connection secrets; the broker itself never writes them.
resource operatorsWriteSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(vaultOperatorPrincipalId)) {
  name: guid(vault.id, vaultOperatorPrincipalId, roleIds['Key Vault Secrets Officer'])
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds['Key Vault Secrets Officer']
    )
    principalId: vaultOperatorPrincipalId
    description: 'Operators store and rotate connection secrets.'
  }
}
