// The broker's and its operators' role assignments on the vault and the storage account, each
// on the narrowest resource the documented need allows, named guid(scope, principal, role) so
// a redeployment finds the same assignment again. Event Grid's own assignments are made in
// event-grid.bicep (its identity exists only once the topic does); Application Insights' in
// app-insights-publisher.bicep (the component may live in another resource group).

import { builtInRoles } from 'roles.bicep'

@description('Required. Storage account holding the containers, queues and table below.')
param storageAccountName string

@description('Required. Key Vault holding the connection secrets.')
param keyVaultName string

@description('Required. Principal id of the broker\'s user-assigned identity.')
param brokerPrincipalId string

@description('Required. Name of the queue the SecretRotationEvents function reads.')
param rotationQueueName string

@description('Required. Name of that queue\'s poison queue.')
param poisonQueueName string

@description('Required. Container holding the deployment package.')
param deploymentContainerName string

@description('Optional. Principal (user or group) allowed to write connection secrets and certificates; empty for none.')
param vaultOperatorPrincipalId string = ''

@description('Optional. Grant the deploying principal what the first steps after a deployment need.')
param grantDeployerAccess bool = false

@description('Optional. The deploying principal (deployer().objectId); used with grantDeployerAccess.')
param deployerPrincipalId string = ''

@description('Optional. Whether the deployer also uploads the package blob (Elastic Premium runs from it).')
param deployerUploadsPackage bool = false

@description('Optional. Whether a connection signs client assertions with a Key Vault certificate (private_key_jwt).')
param brokerReadsCertificates bool = false

@description('Optional. Secrets of the connections in automatic rotation: the broker writes new versions of these and disables old ones. Each must exist before the deployment (a role cannot be assigned on a missing secret).')
param brokerRotatesSecretNames string[] = []

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName

  resource rotatingSecret 'secrets' existing = [
    for name in brokerRotatesSecretNames: {
      name: name
    }
  ]
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deploymentContainer 'containers' existing = {
      name: deploymentContainerName
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
}

// The broker reads connection secrets and lists their versions (get/list only).
resource brokerReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, brokerPrincipalId, builtInRoles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.keyVaultSecretsUser)
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'TokenBroker reads connection secrets and their versions.'
  }
}

// private_key_jwt: the broker reads certificates and their versions, and their keys through
// the secret of the same name. Only when a connection uses it.
resource brokerReadsCertificatesAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (brokerReadsCertificates) {
  name: guid(vault.id, brokerPrincipalId, builtInRoles.keyVaultCertificateUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.keyVaultCertificateUser)
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'TokenBroker reads the certificates that sign private_key_jwt client assertions.'
  }
}

// Automatic rotation of a client secret: the broker stores each new secret as a new version and disables the old
// version at retirement (setSecret and updateSecret). Key Vault Secrets Officer is the built-in role with those
// actions; it is assigned on each rotating secret only, so the broker can write no other secret. Certificates in
// automatic mode get nothing here: Key Vault's renewal policy makes their new version, the broker reads it with
// Key Vault Certificate User, and it retires the old key at Entra ID (removeKey), not in the vault.
resource brokerWritesRotatingSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (name, i) in brokerRotatesSecretNames: {
    name: guid(vault::rotatingSecret[i].id, brokerPrincipalId, builtInRoles.keyVaultSecretsOfficer)
    scope: vault::rotatingSecret[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.keyVaultSecretsOfficer)
      principalId: brokerPrincipalId
      principalType: 'ServicePrincipal'
      description: 'TokenBroker rotates this connection secret (new versions, old versions disabled).'
    }
  }
]

// AzureWebJobsStorage, as the Functions documentation lists it for identity-based host
// storage: Storage Blob Data Owner on the account (locks, timer state, keys, the deployment
// package; the host creates its containers) ...
resource hostOwnsBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, brokerPrincipalId, builtInRoles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataOwner)
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Functions host storage: locks, timer state, keys and the deployment package.'
  }
}

// ... and Storage Table Data Contributor on the account for diagnostic events, which the host
// writes to tables it creates per month; the same role covers the token cache table, which the
// broker creates if missing.
resource hostWritesTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, brokerPrincipalId, builtInRoles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageTableDataContributor)
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Functions diagnostic events and the TokenBroker token cache.'
  }
}

// The queue trigger, with the roles the Functions documentation names for it: queue
// properties (for scaling) ...
resource brokerReadsRotationQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::rotationQueue.id, brokerPrincipalId, builtInRoles.storageQueueDataReader)
  scope: storage::queueService::rotationQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageQueueDataReader)
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Functions queue trigger reads the rotation-events queue\'s properties.'
  }
}

// ... and receiving and deleting the messages.
resource brokerProcessesRotationQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::rotationQueue.id, brokerPrincipalId, builtInRoles.storageQueueDataMessageProcessor)
  scope: storage::queueService::rotationQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageQueueDataMessageProcessor)
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Functions queue trigger receives and deletes rotation events.'
  }
}

// The runtime moves a message that failed maxDequeueCount times to the poison queue; it
// creates that queue if missing (queues/write), which Message Sender does not allow.
resource brokerWritesPoisonQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::poisonQueue.id, brokerPrincipalId, builtInRoles.storageQueueDataContributor)
  scope: storage::queueService::poisonQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageQueueDataContributor)
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Functions runtime moves poison rotation events aside.'
  }
}

// Operators who store connection secrets and certificates; the broker writes only the secrets it rotates (above).
resource operatorsWriteSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(vaultOperatorPrincipalId)) {
  name: guid(vault.id, vaultOperatorPrincipalId, builtInRoles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.keyVaultSecretsOfficer)
    principalId: vaultOperatorPrincipalId
    description: 'Operators store and rotate connection secrets.'
  }
}

resource operatorsWriteCertificates 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(vaultOperatorPrincipalId)) {
  name: guid(vault.id, vaultOperatorPrincipalId, builtInRoles.keyVaultCertificatesOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.keyVaultCertificatesOfficer)
    principalId: vaultOperatorPrincipalId
    description: 'Operators import and rotate private_key_jwt signing certificates.'
  }
}

// The deploying principal, so the runbook's first steps (store the first secret or
// certificate) work right after `azd up`, as the azd Functions templates grant their deployer.
resource deployerWritesSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployerAccess) {
  name: guid(vault.id, deployerPrincipalId, builtInRoles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.keyVaultSecretsOfficer)
    principalId: deployerPrincipalId
    description: 'The deploying principal stores the first connection secrets.'
  }
}

resource deployerWritesCertificates 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployerAccess) {
  name: guid(vault.id, deployerPrincipalId, builtInRoles.keyVaultCertificatesOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.keyVaultCertificatesOfficer)
    principalId: deployerPrincipalId
    description: 'The deploying principal imports the first signing certificates.'
  }
}

// Elastic Premium runs from a package blob the deployer uploads (scripts/deploy-package.sh).
resource deployerUploadsPackageAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployerAccess && deployerUploadsPackage) {
  name: guid(storage::blobService::deploymentContainer.id, deployerPrincipalId, builtInRoles.storageBlobDataContributor)
  scope: storage::blobService::deploymentContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataContributor)
    principalId: deployerPrincipalId
    description: 'The deploying principal uploads the Elastic Premium package blob.'
  }
}
